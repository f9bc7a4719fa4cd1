// Conditions: the second rule kind beside roll-ups. On every twin of a model, a JSONata expression
// over the twin's own properties (direct or derived) raises a state; an optional clear expression
// gives hysteresis; optional durations say how long each must hold before the state changes. The
// state, the time it changed and the pending "holding since T" all live on the twin (never in a
// process), so redelivery and scale-out cannot raise a transition twice (shared/rollup/conditions).
import type jsonata from 'jsonata';

import { describeUnknownFunction, didYouMean, jsonataGuardrails, loadJsonata, unknownFunctionCalls } from '../../common';
import type { ModelIndex } from '../../dtdl';
import { isUnsafeKey } from './safeKeys';

/** One condition as written in `rollups.conditions` (after schema validation). */
export interface ConditionRule {
  name: string;
  /** Twins of this model (or a model extending it) carry the condition. */
  model: string;
  /** JSONata over the twin: only twins for which it is true carry the condition. */
  where?: string;
  /** JSONata over the twin's properties; true = the condition holds. */
  when: string;
  /** JSONata; true = the raised state may clear. Default: `when` is not true. */
  clear?: string;
  /** Seconds `when` must hold before the state is raised. Default 0 (at once). */
  raiseAfter?: number;
  /** Seconds `clear` must hold before the state clears. Default 0. */
  clearAfter?: number;
  write: {
    /** The state property: true/false, or the `states` strings. */
    property: string;
    states?: { raised: string; cleared: string };
    /** DateTime property: when the state last changed. */
    since?: string;
    /** DateTime property holding "holding since T" while a duration runs; needed with a duration. */
    pending?: string;
  };
}

export interface CompiledCondition {
  name: string;
  model: string;
  /** undefined: every twin of the model. */
  where: jsonata.Expression | undefined;
  when: jsonata.Expression;
  /** undefined: clears when `when` is not true. */
  clear: jsonata.Expression | undefined;
  raiseAfterMs: number;
  clearAfterMs: number;
  property: string;
  raised: boolean | string;
  cleared: boolean | string;
  since: string | undefined;
  pending: string | undefined;
  /** The twin's properties the expressions read (names they navigate): a change elsewhere cannot change the state. */
  inputs: ReadonlySet<string>;
  /** Where the rule is in the file, for problems found later (model checks). */
  path: string;
}

/** Every name a JSONata expression navigates (over-approximates the properties it reads), or every field `name` in DTDL schemas. */
function namesIn(node: unknown, into: Set<string>, mode: 'jsonata' | 'fields' = 'jsonata'): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) namesIn(item, into, mode);
  } else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (mode === 'jsonata' && record.type === 'name' && typeof record.value === 'string') into.add(record.value);
    if (mode === 'fields' && typeof record.name === 'string') into.add(record.name);
    for (const value of Object.values(record)) namesIn(value, into, mode);
  }
  return into;
}

function compileExpression(source: string, at: string, problems: string[]): jsonata.Expression | undefined {
  try {
    const expression = loadJsonata()(source, jsonataGuardrails);
    const unknown = unknownFunctionCalls(expression.ast(), []);
    if (unknown.length === 0) return expression;
    problems.push(
      `${at}: JSONata expression ${JSON.stringify(source)}: ${unknown.map((call) => describeUnknownFunction(call)).join('; ')}. Fix the expression.`,
    );
  } catch (err) {
    const { message, position } = (err ?? {}) as { message?: unknown; position?: unknown };
    const where = typeof position === 'number' ? ` at character ${position}` : '';
    problems.push(
      `${at}: JSONata expression ${JSON.stringify(source)} does not parse${where}: ${typeof message === 'string' ? message : String(err)}. Fix the expression.`,
    );
  }
  return undefined;
}

/** Compiles `rollups.conditions`; problems start with their path in the file (`rollups.conditions[1].when: …`). */
export function compileConditions(rules: readonly ConditionRule[], problems: string[]): CompiledCondition[] {
  const names = new Set<string>();
  const writers = new Map<string, string>();
  return rules.flatMap((rule, i) => {
    const path = `rollups.conditions[${i}]`;
    const before = problems.length;
    const when = compileExpression(rule.when, `${path}.when`, problems);
    const clear = rule.clear === undefined ? undefined : compileExpression(rule.clear, `${path}.clear`, problems);
    const where = rule.where === undefined ? undefined : compileExpression(rule.where, `${path}.where`, problems);
    if (names.has(rule.name)) problems.push(`${path}.name: condition name "${rule.name}" is used twice. Give each condition its own name.`);
    names.add(rule.name);
    const { write } = rule;
    const written = [write.property, write.since, write.pending].filter((p): p is string => p !== undefined);
    for (const [key, property] of Object.entries({ property: write.property, since: write.since, pending: write.pending })) {
      if (property !== undefined && isUnsafeKey(property))
        problems.push(`${path}.write.${key}: "${property}" reaches an object's prototype; rename the property.`);
    }
    if (new Set(written).size !== written.length)
      problems.push(`${path}.write: property, since and pending must be three different properties (got ${written.join(', ')}).`);
    for (const property of written) {
      const other = writers.get(`${rule.model}.${property}`);
      if (other !== undefined && other !== rule.name)
        problems.push(
          `${path}.write: conditions "${other}" and "${rule.name}" both write ${rule.model}.${property}; write different properties.`,
        );
      writers.set(`${rule.model}.${property}`, rule.name);
    }
    const raiseAfterMs = (rule.raiseAfter ?? 0) * 1000;
    const clearAfterMs = (rule.clearAfter ?? 0) * 1000;
    if ((raiseAfterMs > 0 || clearAfterMs > 0) && write.pending === undefined) {
      problems.push(
        `${path}.write: a duration (raiseAfter/clearAfter) needs "pending", a dateTime property on the twin that holds when the condition started to hold (the state must outlive one invocation). Add e.g. pending: ${write.property}Pending.`,
      );
    }
    if (!when || (rule.clear !== undefined && !clear) || (rule.where !== undefined && !where) || problems.length > before) return [];
    const inputs = namesIn(when.ast(), new Set<string>());
    if (clear) namesIn(clear.ast(), inputs);
    if (where) namesIn(where.ast(), inputs);
    for (const property of written) {
      if (inputs.has(property))
        problems.push(`${path}: the condition reads "${property}", which it writes itself; a state cannot be its own input.`);
    }
    if (problems.length > before) return [];
    const states = write.states;
    return [
      {
        name: rule.name,
        model: rule.model,
        where,
        when,
        clear,
        raiseAfterMs,
        clearAfterMs,
        property: write.property,
        raised: states ? states.raised : true,
        cleared: states ? states.cleared : false,
        since: write.since,
        pending: write.pending,
        inputs,
        path,
      },
    ];
  });
}

/** With the models at hand: the model exists, the twin has every property read and written (with did-you-mean). */
export function checkConditionsAgainstModels(conditions: readonly CompiledCondition[], index: ModelIndex): string[] {
  const problems: string[] = [];
  for (const condition of conditions) {
    const view = index.interface(condition.model);
    if (!view) {
      problems.push(
        `${condition.path}.model: ${condition.model} is not among the models${didYouMean(condition.model, index.ids())}. Fix the DTMI or add the model.`,
      );
      continue;
    }
    const known = [...view.properties.keys()];
    // Names inside object-typed properties or components are navigated too: they count as known.
    const nested = view.components.size > 0 ? index.ids().flatMap((id) => [...(index.interface(id)?.properties.keys() ?? [])]) : [];
    const fields = namesIn(
      [...view.properties.values()].map((p) => (p as { schema: unknown }).schema),
      new Set<string>(),
      'fields',
    );
    const has = (name: string): boolean =>
      view.properties.has(name) || view.components.has(name) || nested.includes(name) || fields.has(name);
    for (const name of condition.inputs) {
      if (!has(name))
        problems.push(
          `${condition.path}: the expression reads "${name}", which model ${condition.model} does not declare${didYouMean(name, known)}.`,
        );
    }
    for (const [key, name] of [
      ['property', condition.property],
      ['since', condition.since],
      ['pending', condition.pending],
    ] as const) {
      if (name !== undefined && !view.properties.has(name))
        problems.push(
          `${condition.path}.write.${key}: "${name}" is not a property of ${condition.model}${didYouMean(name, known)}. Declare it in the model (${key === 'property' ? 'boolean or string' : 'dateTime'}).`,
        );
    }
  }
  return problems;
}

/** One `rollups.staleness` entry: twins of `model` not written for `maxAge` seconds are marked stale. */
export interface StalenessRule {
  model: string;
  /** Seconds since the twin's `$metadata.$lastUpdateTime` after which it is stale. */
  maxAge: number;
  /** Boolean property written true when stale, false on the twin's next change. Default `stale`. */
  property?: string;
}

export interface CompiledStaleness {
  model: string;
  maxAgeMs: number;
  property: string;
  path: string;
}

export function compileStaleness(rules: readonly StalenessRule[], problems: string[]): CompiledStaleness[] {
  const seen = new Map<string, number>();
  return rules.flatMap((rule, i) => {
    const path = `rollups.staleness[${i}]`;
    const property = rule.property ?? 'stale';
    if (isUnsafeKey(property)) {
      problems.push(`${path}.property: "${property}" reaches an object's prototype; rename the property.`);
      return [];
    }
    const other = seen.get(rule.model);
    if (other !== undefined) {
      problems.push(`${path}.model: ${rule.model} already has a maxAge (rollups.staleness[${other}]); keep one entry per model.`);
      return [];
    }
    seen.set(rule.model, i);
    return [{ model: rule.model, maxAgeMs: rule.maxAge * 1000, property, path }];
  });
}

/** With the models: the model exists and declares the stale property. */
export function checkStalenessAgainstModels(rules: readonly CompiledStaleness[], index: ModelIndex): string[] {
  const problems: string[] = [];
  for (const rule of rules) {
    const view = index.interface(rule.model);
    if (!view)
      problems.push(
        `${rule.path}.model: ${rule.model} is not among the models${didYouMean(rule.model, index.ids())}. Fix the DTMI or add the model.`,
      );
    else if (!view.properties.has(rule.property))
      problems.push(
        `${rule.path}.property: "${rule.property}" is not a property of ${rule.model}${didYouMean(rule.property, [...view.properties.keys()])}. Declare it in the model (boolean).`,
      );
  }
  return problems;
}
