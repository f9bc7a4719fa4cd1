// Turns the validated `rollups` section into executable rules: JSONata compiled once, the
// dependency graph built and checked for cycles, lookups indexed. Throws RollupConfigError.
import type jsonata from 'jsonata';

import { describeUnknownFunction, jsonataGuardrails, loadJsonata, unknownFunctionCalls } from '../../common';
import { compileConditions, type CompiledCondition, type CompiledStaleness, compileStaleness } from './conditions';
import type {
  AggregateName,
  AggregateSpec,
  EmptyValue,
  ReadMode,
  RelationshipDirection,
  RollupRule,
  RollupSettings,
  RollupsSection,
} from './config';
import { isExpressionTarget, resolveRollupSettings } from './config';
import type { DependencyGraph, ModelsOverlap } from './graph';
import { buildDependencyGraph, describeCycle, findCycle, longestChain, sameModelOnly } from './graph';
import { isUnsafeKey } from './safeKeys';

export class RollupConfigError extends Error {
  /** Every problem found, one line each (the message joins them). */
  readonly problems: readonly string[];
  constructor(message: string | readonly string[]) {
    super(typeof message === 'string' ? message : message.join('\n'));
    this.name = 'RollupConfigError';
    this.problems = typeof message === 'string' ? [message] : message;
  }
}

export interface CompiledAggregate {
  /** Variable name inside an expression; the target property for a plain aggregate. */
  name: string;
  aggregate: AggregateName;
  /** Child property path: `temperature`, or `env/co2` inside component `env`. */
  of: string | undefined;
  /** Weighted `avg`: the child property holding each child's weight. */
  weight: string | undefined;
}

export interface CompiledTarget {
  property: string;
  aggregates: CompiledAggregate[];
  /** Present for expression targets. */
  expression: jsonata.Expression | undefined;
  empty: EmptyValue;
}

export interface CompiledRollupRule {
  name: string;
  parentModel: string;
  relationships: ReadonlySet<string>;
  direction: RelationshipDirection;
  childModel: string | undefined;
  where: jsonata.Expression | undefined;
  read: ReadMode;
  targets: CompiledTarget[];
  /** Child property paths whose change can change a derived value (aggregated, weights, and the
   * top-level names `where` reads). A path is `p` or `component/p`. */
  inputProperties: ReadonlySet<string>;
}

export interface CompiledRollups {
  rules: CompiledRollupRule[];
  settings: RollupSettings;
  graph: DependencyGraph;
  /** Longest chain of rules feeding each other. */
  depth: number;
  /** The `conditions` rules (states raised on a twin from its own properties); absent = none. */
  conditions?: CompiledCondition[];
  /** The `staleness` entries (maxAge per model); absent = none. */
  staleness?: CompiledStaleness[];
}

export interface CompileOptions {
  /** Model inheritance known at load (e.g. from the models folder); improves the cycle check. */
  modelsOverlap?: ModelsOverlap;
}

/** `inputs`: the expression's input variables; calling one is left to evaluation to report. */
function compileJsonata(source: string, where: string, inputs: readonly string[] = []): jsonata.Expression {
  let expression: jsonata.Expression;
  try {
    expression = loadJsonata()(source, jsonataGuardrails);
  } catch (err) {
    // jsonata throws plain objects ({ code, position, message }), not Errors.
    const { message, position, code } = (err ?? {}) as { message?: unknown; position?: unknown; code?: unknown };
    const detail = typeof message === 'string' ? message : String(err);
    const at = typeof position === 'number' ? ` at character ${position}` : '';
    const id = typeof code === 'string' ? ` (${code})` : '';
    throw new RollupConfigError(
      `${where}: JSONata expression ${JSON.stringify(source)} does not parse${at}: ${detail}${id}. Fix the expression.`,
    );
  }
  // JSONata looks a function up only when it calls it: a misspelled one would fail every recompute.
  const unknown = unknownFunctionCalls(expression.ast(), inputs);
  if (unknown.length > 0)
    throw new RollupConfigError(
      `${where}: JSONata expression ${JSON.stringify(source)}: ${unknown.map((call) => describeUnknownFunction(call)).join('; ')}. Fix the expression.`,
    );
  return expression;
}

/** Every name a JSONata expression navigates; over-approximates the child properties it reads. */
function namesRead(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) namesRead(item, into);
  } else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.type === 'name' && typeof record.value === 'string') into.add(record.value);
    for (const value of Object.values(record)) namesRead(value, into);
  }
  return into;
}

/** Counting nothing is 0, so counts default to writing 0; every other aggregate removes its value. */
function defaultEmpty(aggregates: readonly CompiledAggregate[], isExpression: boolean): EmptyValue {
  const only = aggregates[0];
  const counts = !isExpression && only !== undefined && (only.aggregate === 'count' || only.aggregate === 'countDistinct');
  return counts ? { value: 0 } : 'remove';
}

const compileAggregate = (name: string, spec: AggregateSpec): CompiledAggregate => ({
  name,
  aggregate: spec.aggregate,
  of: spec.of,
  weight: spec.weight,
});

function compileRule(rule: RollupRule): CompiledRollupRule {
  const at = `Roll-up rule "${rule.name}"`;
  const targets: CompiledTarget[] = Object.entries(rule.properties).map(([property, spec]) => {
    if (isExpressionTarget(spec)) {
      const aggregates = Object.entries(spec.inputs).map(([name, input]) => compileAggregate(name, input));
      return {
        property,
        aggregates,
        expression: compileJsonata(spec.expression, `${at}, property "${property}"`, Object.keys(spec.inputs)),
        empty: spec.empty ?? defaultEmpty(aggregates, true),
      };
    }
    const aggregates = [compileAggregate(property, spec)];
    return { property, aggregates, expression: undefined, empty: spec.empty ?? defaultEmpty(aggregates, false) };
  });
  for (const target of targets) {
    for (const agg of target.aggregates) {
      if (agg.of === undefined && agg.aggregate !== 'count') {
        throw new RollupConfigError(
          `${at}, property "${target.property}": aggregate "${agg.aggregate}" needs "of" (the child property to aggregate).`,
        );
      }
      for (const path of [agg.of, agg.weight]) {
        if (path !== undefined && path.split('/').some(isUnsafeKey)) {
          throw new RollupConfigError(
            `${at}, property "${target.property}": "${path}" cannot be read: __proto__, constructor and prototype are never roll-up inputs (they reach an object's prototype). Rename the child property.`,
          );
        }
      }
      if (agg.weight !== undefined && agg.aggregate !== 'avg') {
        throw new RollupConfigError(
          `${at}, property "${target.property}": "weight" only works with aggregate avg (a weighted average); remove it or use avg.`,
        );
      }
    }
  }
  const where = rule.where === undefined ? undefined : compileJsonata(rule.where, `${at}, where`);
  const inputProperties = new Set(
    targets.flatMap((t) => t.aggregates.flatMap((a) => [a.of, a.weight].filter((p): p is string => p !== undefined))),
  );
  if (where) namesRead(where.ast(), inputProperties);
  return {
    name: rule.name,
    parentModel: rule.parentModel,
    relationships: new Set(rule.relationships),
    direction: rule.direction ?? 'outgoing',
    childModel: rule.childModel,
    where,
    read: rule.read ?? 'view',
    targets,
    inputProperties,
  };
}

function checkUnique(rules: readonly CompiledRollupRule[]): void {
  const names = new Set<string>();
  const writers = new Map<string, string>();
  for (const rule of rules) {
    if (names.has(rule.name)) throw new RollupConfigError(`Roll-up rule name "${rule.name}" is used twice. Give each rule its own name.`);
    names.add(rule.name);
    for (const target of rule.targets) {
      const key = `${rule.parentModel}.${target.property}`;
      const other = writers.get(key);
      if (other !== undefined) {
        throw new RollupConfigError(
          `Roll-up rules "${other}" and "${rule.name}" both derive ${key}; they would overwrite each other. Keep one, or write different properties.`,
        );
      }
      writers.set(key, rule.name);
    }
  }
}

function graphOf(rules: readonly CompiledRollupRule[], overlap: ModelsOverlap): DependencyGraph {
  return buildDependencyGraph(
    rules.map((r) => ({
      rule: r.name,
      parentModel: r.parentModel,
      childModel: r.childModel,
      childProperties: r.inputProperties,
      targets: r.targets.map((t) => t.property),
    })),
    overlap,
  );
}

function throwOnCycle(graph: DependencyGraph, context: string): void {
  const cycle = findCycle(graph);
  if (cycle) {
    throw new RollupConfigError(
      `Roll-up rules form a cycle${context}: ${describeCycle(cycle)}. A derived value would feed itself forever. ` +
        'Break it: give the rules a childModel that excludes the parent model, or derive a differently named property.',
    );
  }
}

/**
 * The load-time cycle check again, now following model inheritance (a cycle can hide behind
 * `extends`: a rule for Room reading from any Space, where Room extends Space). Call it wherever
 * the models are at hand: the runner and reconcile (scenario models), a worker that fetched them.
 */
export function checkRollupCyclesWithModels(compiled: CompiledRollups, modelsOverlap: ModelsOverlap): void {
  throwOnCycle(graphOf(compiled.rules, modelsOverlap), ' once model inheritance is followed');
}

/** `extends` closure of DTDL interface documents, as a ModelsOverlap for the cycle check. */
export function modelsOverlapFromDocuments(documents: readonly Record<string, unknown>[]): ModelsOverlap {
  const bases = new Map<string, string[]>();
  for (const doc of documents) {
    const id = doc['@id'];
    const ext = doc.extends;
    if (typeof id === 'string')
      bases.set(
        id,
        (Array.isArray(ext) ? ext : ext === undefined ? [] : [ext]).filter((e): e is string => typeof e === 'string'),
      );
  }
  const extendsModel = (model: string, base: string): boolean => {
    const seen = new Set<string>();
    const stack = [model];
    while (stack.length > 0) {
      const next = stack.pop() as string;
      if (next === base) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(bases.get(next) ?? []));
    }
    return false;
  };
  return extendsModel;
}

export function compileRollups(section: RollupsSection | RollupRule[], options: CompileOptions = {}): CompiledRollups {
  const {
    rules: raw,
    settings,
    conditions: conditionRules,
    staleness: stalenessRules,
  } = Array.isArray(section) ? { rules: section, settings: undefined, conditions: undefined, staleness: undefined } : section;
  // Every rule's problems at once, so a file with several mistakes takes one run to fix.
  const problems: string[] = [];
  const rules = (raw ?? []).flatMap((rule) => {
    try {
      return [compileRule(rule)];
    } catch (error) {
      if (!(error instanceof RollupConfigError)) throw error;
      problems.push(...error.problems);
      return [];
    }
  });
  const conditions = compileConditions(conditionRules ?? [], problems);
  const staleness = compileStaleness(stalenessRules ?? [], problems);
  if (problems.length > 0) throw new RollupConfigError(problems);
  checkUnique(rules);
  const graph = graphOf(rules, options.modelsOverlap ?? sameModelOnly);
  throwOnCycle(graph, '');
  const resolved = resolveRollupSettings(settings);
  const depth = longestChain(graph);
  if (resolved.maxHops < depth) {
    throw new RollupConfigError(
      `rollups.settings.maxHops is ${resolved.maxHops}, but the rules chain ${depth} levels deep; derived values would stop short of the top. Set maxHops to at least ${depth}.`,
    );
  }
  return {
    rules,
    settings: resolved,
    graph,
    depth,
    ...(conditions.length > 0 && { conditions }),
    ...(staleness.length > 0 && { staleness }),
  };
}
