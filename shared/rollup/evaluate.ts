// Computes a rule's derived values from the children of one parent. Pure apart from the async
// JSONata evaluation.
import type { Twin } from '../adt';
import { latestSourceTime } from '../common';
import type { AggregateResult, ChildSample } from './aggregates';
import { aggregate } from './aggregates';
import type { CompiledRule, CompiledTarget } from './compile';
import type { EmptyValue } from './config';

/** One derived property's new state: `value` undefined = remove it. */
export interface DerivedValue {
  property: string;
  value: unknown;
  /** Newest sourceTime among the inputs; written as the derived property's sourceTime. */
  sourceTime: string | undefined;
}

export function propertyTime(twin: Twin, property: string): string | undefined {
  const meta = twin.$metadata[property];
  if (meta === null || typeof meta !== 'object') return undefined;
  const { sourceTime, lastUpdateTime } = meta as { sourceTime?: unknown; lastUpdateTime?: unknown };
  if (typeof sourceTime === 'string') return sourceTime;
  return typeof lastUpdateTime === 'string' ? lastUpdateTime : undefined;
}

function storedSourceTime(twin: Twin, property: string): string | undefined {
  const meta = twin.$metadata[property] as { sourceTime?: unknown } | null | undefined;
  return typeof meta?.sourceTime === 'string' ? meta.sourceTime : undefined;
}

function samples(children: readonly Twin[], property: string | undefined): ChildSample[] {
  return children.map((child) => {
    if (property === undefined) return { twinId: child.$dtId, value: undefined, time: undefined };
    const sourceTime = storedSourceTime(child, property);
    return { twinId: child.$dtId, value: child[property], time: propertyTime(child, property), ...(sourceTime !== undefined && { sourceTime }) };
  });
}

function newestOf(times: readonly (string | undefined)[]): string | undefined {
  return latestSourceTime(times.filter((t): t is string => t !== undefined));
}

function applyEmpty(empty: EmptyValue, result: AggregateResult): unknown {
  if (result.value !== undefined) return result.value;
  return empty === 'remove' ? undefined : empty.value;
}

export class RollupEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RollupEvaluationError';
  }
}

async function evaluateTarget(rule: CompiledRule, target: CompiledTarget, children: readonly Twin[]): Promise<DerivedValue> {
  const results = target.aggregates.map((agg) => ({ agg, result: aggregate(agg.aggregate, samples(children, agg.of), agg.of === undefined) }));
  const sourceTime = newestOf(results.map((r) => r.result.time));
  if (!target.expression) {
    const only = results[0];
    return { property: target.property, value: only ? applyEmpty(target.empty, only.result) : undefined, sourceTime };
  }
  const bindings = Object.fromEntries(results.map((r) => [r.agg.name, r.result.value]));
  let value: unknown;
  try {
    value = await target.expression.evaluate({}, bindings);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new RollupEvaluationError(`Roll-up rule "${rule.name}", property "${target.property}": expression failed: ${detail}. Fix the expression in the pipeline configuration.`);
  }
  return { property: target.property, value: applyEmpty(target.empty, { value, time: sourceTime }), sourceTime };
}

/** Derived values of every target of `rule`, given the children that count for it. */
export async function evaluateRule(rule: CompiledRule, children: readonly Twin[]): Promise<DerivedValue[]> {
  return Promise.all(rule.targets.map((target) => evaluateTarget(rule, target, children)));
}

/** Applies the rule's `where` filter (JSONata over the child twin). */
export async function childCounts(rule: CompiledRule, child: Twin): Promise<boolean> {
  if (!rule.where) return true;
  try {
    return (await rule.where.evaluate(child)) === true;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new RollupEvaluationError(`Roll-up rule "${rule.name}": where failed on child ${child.$dtId}: ${detail}. Fix the where expression.`);
  }
}
