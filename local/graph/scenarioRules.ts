// The rules the graph page shows beside the twins, read from the scenario's pipeline file: what
// marks a node (connection state, conditions, staleness, decommission: twinStatus.ts) and the list
// of roll-ups, conditions and staleness entries in the panel's "Rules" section.
import { type CompiledPipelineConfig, loadPipelineConfigFile } from '../../shared/config';
import type { ConditionRule, RollupRule, StalenessRule } from '../../shared/rollup';
import type { Scenario } from '../scenario';
import { type Derivations, derivationsOf, shortModel } from './derivations';
import { defaultStatusRules, type StatusRules } from './twinStatus';

/** One line of the "Rules" section. */
export interface RuleView {
  kind: 'rollup' | 'condition' | 'staleness';
  name: string;
  model: string;
  /** What the rule does, in words. */
  how: string;
}

function listOf<T>(section: unknown, key: string): T[] {
  const value = (section as Record<string, unknown> | undefined)?.[key];
  return Array.isArray(value) ? (value as T[]) : [];
}

/** model → every model it extends, directly or through another (from the DTDL interfaces at hand). */
export function ancestorsOf(models: readonly Record<string, unknown>[]): Record<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const model of models) {
    const id = model['@id'];
    if (typeof id !== 'string') continue;
    const extended = ([] as unknown[]).concat(model.extends ?? []).filter((e): e is string => typeof e === 'string');
    parents.set(id, extended);
  }
  const out: Record<string, string[]> = {};
  for (const id of parents.keys()) {
    const seen = new Set<string>();
    const walk = (at: string): void => {
      for (const parent of parents.get(at) ?? []) {
        if (seen.has(parent)) continue;
        seen.add(parent);
        walk(parent);
      }
    };
    walk(id);
    if (seen.size > 0) out[id] = [...seen].sort();
  }
  return out;
}

/** The marks a pipeline configuration gives the nodes; without one, IoT Hub's default connectionState only. */
export function statusRulesOf(
  config: Pick<CompiledPipelineConfig, 'ingest' | 'rollups'> | undefined,
  models: readonly Record<string, unknown>[] = [],
): StatusRules {
  if (!config) return defaultStatusRules;
  const { connectionState, lifecycle } = config.ingest;
  const rules: StatusRules = {
    connection: {
      property: connectionState.property.name,
      ...(connectionState.connectedProperty !== undefined && { connectedProperty: connectionState.connectedProperty }),
      ...(connectionState.lastChangeProperty !== undefined && { lastChangeProperty: connectionState.lastChangeProperty }),
    },
    conditions: listOf<ConditionRule>(config.rollups, 'conditions').map((c) => ({
      name: c.name,
      model: c.model,
      property: c.write.property,
      raised: c.write.states ? c.write.states.raised : true,
      cleared: c.write.states ? c.write.states.cleared : false,
      ...(c.write.since !== undefined && { since: c.write.since }),
      ...(c.write.pending !== undefined && { pending: c.write.pending }),
    })),
    staleness: listOf<StalenessRule>(config.rollups, 'staleness').map((s) => ({
      model: s.model,
      property: s.property ?? 'stale',
      maxAgeSeconds: s.maxAge,
    })),
    ancestors: ancestorsOf(models),
  };
  if (lifecycle.onDelete === 'decommission' && Object.keys(lifecycle.decommission).length > 0) rules.decommission = lifecycle.decommission;
  return rules;
}

function conditionHow(c: ConditionRule): string {
  const states = c.write.states ? `"${c.write.states.raised}" / "${c.write.states.cleared}"` : 'true / false';
  const parts = [
    `raised when ${c.when}${c.raiseAfter ? ` for ${c.raiseAfter} s` : ''}`,
    `cleared when ${c.clear ?? `not (${c.when})`}${c.clearAfter ? ` for ${c.clearAfter} s` : ''}`,
    `writes ${c.write.property} = ${states}${c.write.since ? `, ${c.write.since} = when it changed` : ''}`,
  ];
  return `${c.where ? `where ${c.where}: ` : ''}${parts.join('; ')}`;
}

/**
 * The roll-ups' derived properties (derivationsOf), plus the properties a condition or a staleness
 * entry writes, each marked with its rule, on its model and on every model extending it (as the
 * rules apply): the inspector then says which rule writes `overheated`, `overheatedSince` or `stale`.
 */
export function derivationsWithStates(rollups: unknown, models: readonly Record<string, unknown>[] = []): Derivations {
  const out = derivationsOf(listOf<RollupRule>(rollups, 'rules'));
  const ancestors = ancestorsOf(models);
  const modelsOf = (model: string): string[] => [model, ...Object.keys(ancestors).filter((m) => ancestors[m]?.includes(model))];
  const mark = (model: string, property: string, rule: string, how: string): void => {
    for (const m of modelsOf(model)) (out[m] ??= {})[property] ??= { rule, how };
  };
  for (const c of listOf<ConditionRule>(rollups, 'conditions')) {
    const how = conditionHow(c);
    mark(c.model, c.write.property, c.name, `condition: ${how}`);
    if (c.write.since) mark(c.model, c.write.since, c.name, `condition ${c.name}: when its state last changed`);
    if (c.write.pending) mark(c.model, c.write.pending, c.name, `condition ${c.name}: holding since (a duration is running)`);
  }
  for (const s of listOf<StalenessRule>(rollups, 'staleness'))
    mark(s.model, s.property ?? 'stale', `stale ${shortModel(s.model)}`, `staleness: true after ${s.maxAge} s without a write`);
  return out;
}

/** Every rule of the `rollups` section: roll-ups (one line per rule), conditions, staleness. */
export function ruleListOf(rollups: unknown): RuleView[] {
  const out: RuleView[] = [];
  for (const rule of listOf<RollupRule>(rollups, 'rules')) {
    const derived = derivationsOf([rule])[rule.parentModel] ?? {};
    const how = Object.entries(derived).map(([property, d]) => `${property} = ${d.how}`);
    out.push({ kind: 'rollup', name: rule.name, model: shortModel(rule.parentModel), how: how.join('; ') });
  }
  for (const c of listOf<ConditionRule>(rollups, 'conditions'))
    out.push({ kind: 'condition', name: c.name, model: shortModel(c.model), how: conditionHow(c) });
  for (const s of listOf<StalenessRule>(rollups, 'staleness'))
    out.push({
      kind: 'staleness',
      name: `stale ${shortModel(s.model)}`,
      model: shortModel(s.model),
      how: `no write for ${s.maxAge} s → ${s.property ?? 'stale'} = true (false again on the next write)`,
    });
  return out;
}

/** The scenario's pipeline file, compiled; undefined for a scenario that runs on the defaults. */
export function loadScenarioPipeline(scenario: Scenario): CompiledPipelineConfig | undefined {
  return scenario.pipelineConfigPath === '' ? undefined : loadPipelineConfigFile(scenario.pipelineConfigPath);
}
