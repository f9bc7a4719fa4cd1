// Aggregate functions over the children's values of one property. Pure.
import { compareSourceTimes, latestSourceTime } from '../common';
import type { AggregateName } from './config';

/** One child's value of one property, with the time it was observed. */
export interface ChildSample {
  twinId: string;
  /** undefined when the child has no such property (it then only counts for `count` without `of`). */
  value: unknown;
  /** ISO 8601: the property's sourceTime, else its lastUpdateTime; orders `latest`. */
  time: string | undefined;
  /** The property's sourceTime only: what a derived value may carry as its own. A lastUpdateTime is
   * the service's wall clock, so stamping it would make replays differ and is not a source time. */
  sourceTime?: string;
}

/** An aggregate result; `value` undefined = no child contributed (the target's `empty` applies). */
export interface AggregateResult {
  value: unknown;
  /** Newest sourceTime among the samples that contributed. */
  time: string | undefined;
}

const none: AggregateResult = { value: undefined, time: undefined };

function newest(samples: readonly ChildSample[]): string | undefined {
  return latestSourceTime(samples.flatMap((s) => (s.sourceTime === undefined ? [] : [s.sourceTime])));
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

function numeric(samples: readonly ChildSample[], fold: (values: number[]) => number): AggregateResult {
  const used = samples.filter((s) => isNumber(s.value));
  if (used.length === 0) return none;
  return { value: fold(used.map((s) => s.value as number)), time: newest(used) };
}

function logical(samples: readonly ChildSample[], fold: (values: boolean[]) => boolean): AggregateResult {
  const used = samples.filter((s) => isBoolean(s.value));
  if (used.length === 0) return none;
  return { value: fold(used.map((s) => s.value as boolean)), time: newest(used) };
}

/** Newest by time; ties (or no times) broken by twin id so every instance picks the same child. */
function latestSample(samples: readonly ChildSample[]): ChildSample | undefined {
  const used = samples.filter((s) => s.value !== undefined);
  const byTime = (a: ChildSample, b: ChildSample): number => (a.time === undefined ? (b.time === undefined ? 0 : -1) : b.time === undefined ? 1 : compareSourceTimes(a.time, b.time));
  return [...used].sort((a, b) => byTime(b, a) || (a.twinId < b.twinId ? -1 : a.twinId > b.twinId ? 1 : 0))[0];
}

function sum(values: number[]): number {
  // Kahan summation: an average of hundreds of readings should not drift with input order.
  let total = 0;
  let carry = 0;
  for (const v of values) {
    const y = v - carry;
    const t = total + y;
    carry = t - total - y;
    total = t;
  }
  return total;
}

/**
 * @param countChildren for `count` without `of`: count the children themselves.
 */
export function aggregate(name: AggregateName, samples: readonly ChildSample[], countChildren = false): AggregateResult {
  switch (name) {
    case 'avg':
      return numeric(samples, (v) => sum(v) / v.length);
    case 'sum':
      return numeric(samples, sum);
    case 'min':
      return numeric(samples, (v) => Math.min(...v));
    case 'max':
      return numeric(samples, (v) => Math.max(...v));
    case 'count': {
      const used = countChildren ? samples : samples.filter((s) => s.value !== undefined);
      return { value: used.length, time: newest(used) };
    }
    case 'any':
      return logical(samples, (v) => v.some(Boolean));
    case 'all':
      return logical(samples, (v) => v.every(Boolean));
    case 'copy':
    case 'latest': {
      // copy is meant for one child; with several it behaves as latest rather than picking at random.
      const pick = latestSample(samples);
      return pick ? { value: pick.value, time: pick.sourceTime } : none;
    }
  }
}
