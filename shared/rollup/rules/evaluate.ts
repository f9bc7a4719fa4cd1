// Computes a rule's derived values from the children of one parent. Pure apart from the async
// JSONata evaluation.
import type { Twin } from '../../adt';
import { jsonataErrorMessage, latestSourceTime } from '../../common';
import type { ChildSample } from './aggregates';
import { aggregate } from './aggregates';
import type { CompiledRollupRule, CompiledTarget } from './compile';
import type { EmptyValue } from './config';
import { ownValue, withoutUnsafeKeys } from './safeKeys';

/** One derived property's new state: `value` undefined = remove it. */
export interface DerivedValue {
  property: string;
  value: unknown;
  /** Newest sourceTime among the inputs; written as the derived property's sourceTime. */
  sourceTime: string | undefined;
}

/** A child property path's value and its metadata: `p` on the twin, or `c/p` inside component c
 * (ADT keeps a component's property metadata in the component's own `$metadata`). Own properties
 * only, and never `__proto__`, `constructor` or `prototype` (safeKeys.ts). */
export function readPath(twin: Twin, path: string): { value: unknown; meta: unknown } {
  const slash = path.indexOf('/');
  const metadataOf = (holder: Record<string, unknown>) => ownValue(holder, '$metadata') as Record<string, unknown> | undefined;
  const at = (holder: Record<string, unknown>, name: string) => {
    const meta = metadataOf(holder);
    return { value: ownValue(holder, name), meta: meta !== null && typeof meta === 'object' ? ownValue(meta, name) : undefined };
  };
  if (slash < 0) return at(twin, path);
  const component = ownValue(twin, path.slice(0, slash));
  if (component === null || typeof component !== 'object') return { value: undefined, meta: undefined };
  return at(component as Record<string, unknown>, path.slice(slash + 1));
}

function timesOf(meta: unknown): { sourceTime: string | undefined; lastUpdateTime: string | undefined } {
  if (meta === null || typeof meta !== 'object') return { sourceTime: undefined, lastUpdateTime: undefined };
  const { sourceTime, lastUpdateTime } = meta as { sourceTime?: unknown; lastUpdateTime?: unknown };
  return {
    sourceTime: typeof sourceTime === 'string' ? sourceTime : undefined,
    lastUpdateTime: typeof lastUpdateTime === 'string' ? lastUpdateTime : undefined,
  };
}

export function propertyTime(twin: Twin, property: string): string | undefined {
  const { sourceTime, lastUpdateTime } = timesOf(readPath(twin, property).meta);
  return sourceTime ?? lastUpdateTime;
}

function samples(children: readonly Twin[], property: string | undefined, weight: string | undefined): ChildSample[] {
  return children.map((child) => {
    if (property === undefined) return { twinId: child.$dtId, value: undefined, time: undefined };
    const { value, meta } = readPath(child, property);
    const { sourceTime, lastUpdateTime } = timesOf(meta);
    // A child's value is input: no key of it that reaches a prototype enters an aggregate (or, through
    // copy/latest, an expression or the parent).
    return {
      twinId: child.$dtId,
      value: withoutUnsafeKeys(value),
      time: sourceTime ?? lastUpdateTime,
      ...(sourceTime !== undefined && { sourceTime }),
      ...(weight !== undefined && { weight: withoutUnsafeKeys(readPath(child, weight).value) }),
    };
  });
}

function newestOf(times: readonly (string | undefined)[]): string | undefined {
  return latestSourceTime(times.filter((t): t is string => t !== undefined));
}

/** `empty` applies when no child contributed: for an aggregate (a count of 0 too) and for an
 * expression alike (then the expression is not evaluated at all). */
function emptyValue(empty: EmptyValue): unknown {
  return empty === 'remove' ? undefined : empty.value;
}

export class RollupEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RollupEvaluationError';
  }
}

async function evaluateTarget(rule: CompiledRollupRule, target: CompiledTarget, children: readonly Twin[]): Promise<DerivedValue> {
  const results = target.aggregates.map((agg) => ({
    agg,
    result: aggregate(agg.aggregate, samples(children, agg.of, agg.weight), {
      countChildren: agg.of === undefined,
      weighted: agg.weight !== undefined,
    }),
  }));
  const sourceTime = newestOf(results.map((r) => r.result.time));
  if (results.every((r) => r.result.contributors === 0))
    return { property: target.property, value: emptyValue(target.empty), sourceTime: undefined };
  if (!target.expression) {
    return { property: target.property, value: results[0]?.result.value, sourceTime };
  }
  const bindings = Object.fromEntries(results.map((r) => [r.agg.name, r.result.value]));
  let value: unknown;
  try {
    value = await target.expression.evaluate({}, bindings);
  } catch (err) {
    const detail = jsonataErrorMessage(err);
    throw new RollupEvaluationError(
      `Roll-up rule "${rule.name}", property "${target.property}": expression failed: ${detail}. Fix the expression in the pipeline configuration.`,
    );
  }
  // An expression that yields nothing (e.g. reads an input no child has) gets `empty` as well.
  return { property: target.property, value: value === undefined ? emptyValue(target.empty) : value, sourceTime };
}

/** Derived values of every target of `rule`, given the children that count for it. */
export async function evaluateRule(rule: CompiledRollupRule, children: readonly Twin[]): Promise<DerivedValue[]> {
  return Promise.all(rule.targets.map((target) => evaluateTarget(rule, target, children)));
}

/** Applies the rule's `where` filter (JSONata over the child twin). */
export async function childCounts(rule: CompiledRollupRule, child: Twin): Promise<boolean> {
  if (!rule.where) return true;
  try {
    return (await rule.where.evaluate(withoutUnsafeKeys(child))) === true;
  } catch (err) {
    const detail = jsonataErrorMessage(err);
    throw new RollupEvaluationError(
      `Roll-up rule "${rule.name}": where failed on child ${child.$dtId}: ${detail}. Fix the where expression.`,
    );
  }
}
