// Aggregate functions over the children's values of one property. Pure.
import { compareSourceTimes, latestSourceTime } from '../../common';
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
  /** The child's weight for a weighted `avg` (the rule's `weight` property), when the rule has one. */
  weight?: unknown;
}

/** An aggregate result; `value` undefined = no child contributed (the target's `empty` applies). */
export interface AggregateResult {
  value: unknown;
  /** Newest sourceTime among the samples that contributed. */
  time: string | undefined;
  /** How many children contributed; 0 = the target's `empty` applies (also for a count of 0). */
  contributors: number;
}

const none: AggregateResult = { value: undefined, time: undefined, contributors: 0 };

function newest(samples: readonly ChildSample[]): string | undefined {
  return latestSourceTime(samples.flatMap((s) => (s.sourceTime === undefined ? [] : [s.sourceTime])));
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

function numeric(samples: readonly ChildSample[], fold: (values: number[]) => number): AggregateResult {
  const used = samples.filter((s) => isNumber(s.value));
  if (used.length === 0) return none;
  return { value: fold(used.map((s) => s.value as number)), time: newest(used), contributors: used.length };
}

function logical(samples: readonly ChildSample[], fold: (values: boolean[]) => boolean): AggregateResult {
  const used = samples.filter((s) => isBoolean(s.value));
  if (used.length === 0) return none;
  return { value: fold(used.map((s) => s.value as boolean)), time: newest(used), contributors: used.length };
}

/** Newest by time; ties (or no times) broken by twin id so every instance picks the same child. */
function latestSample(samples: readonly ChildSample[]): ChildSample | undefined {
  const used = samples.filter((s) => s.value !== undefined);
  const byTime = (a: ChildSample, b: ChildSample): number =>
    a.time === undefined ? (b.time === undefined ? 0 : -1) : b.time === undefined ? 1 : compareSourceTimes(a.time, b.time);
  return [...used].sort((a, b) => byTime(b, a) || (a.twinId < b.twinId ? -1 : a.twinId > b.twinId ? 1 : 0))[0];
}

function sum(values: number[]): number {
  // Kahan summation over the values in ascending order: an average of hundreds of readings should not
  // drift, and every instance must get the same bits whatever order its child views list the children
  // in (compensation alone still leaves a last-bit difference between orders).
  let total = 0;
  let carry = 0;
  for (const v of [...values].sort((a, b) => a - b)) {
    const y = v - carry;
    const t = total + y;
    carry = t - total - y;
    total = t;
  }
  return total;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Population standard deviation: the children are the whole population, not a sample of it. */
function stddev(values: number[]): number {
  const mean = sum(values) / values.length;
  return Math.sqrt(sum(values.map((v) => (v - mean) ** 2)) / values.length);
}

/** Weighted mean; a child without a positive finite weight does not contribute at all. */
function weightedAverage(samples: readonly ChildSample[]): AggregateResult {
  const used = samples.filter((s) => isNumber(s.value) && isNumber(s.weight) && s.weight > 0);
  if (used.length === 0) return none;
  const total = sum(used.map((s) => s.weight as number));
  return { value: sum(used.map((s) => (s.value as number) * (s.weight as number))) / total, time: newest(used), contributors: used.length };
}

/** Distinct values compared as JSON, so 1 and "1" differ and equal objects are one value. */
function countDistinct(samples: readonly ChildSample[]): AggregateResult {
  const used = samples.filter((s) => s.value !== undefined);
  return { value: new Set(used.map((s) => JSON.stringify(s.value))).size, time: newest(used), contributors: used.length };
}

export interface AggregateOptions {
  /** `count` without `of`: count the children themselves. */
  countChildren?: boolean;
  /** `avg` with `weight`: the samples carry weights. */
  weighted?: boolean;
}

/**
 * @param options `countChildren` for `count` without `of`; `weighted` for `avg` with `weight`
 *   (a boolean is `countChildren`, the older signature).
 */
export function aggregate(name: AggregateName, samples: readonly ChildSample[], options: AggregateOptions | boolean = {}): AggregateResult {
  const { countChildren = false, weighted = false } = typeof options === 'boolean' ? { countChildren: options } : options;
  switch (name) {
    case 'avg':
      return weighted ? weightedAverage(samples) : numeric(samples, (v) => sum(v) / v.length);
    case 'median':
      return numeric(samples, median);
    case 'stddev':
      return numeric(samples, stddev);
    case 'countDistinct':
      return countDistinct(samples);
    case 'sum':
      return numeric(samples, sum);
    case 'min':
      return numeric(samples, (v) => Math.min(...v));
    case 'max':
      return numeric(samples, (v) => Math.max(...v));
    case 'count': {
      const used = countChildren ? samples : samples.filter((s) => s.value !== undefined);
      return { value: used.length, time: newest(used), contributors: used.length };
    }
    case 'any':
      return logical(samples, (v) => v.some(Boolean));
    case 'all':
      return logical(samples, (v) => v.every(Boolean));
    case 'copy':
    case 'latest': {
      // copy is meant for one child; with several it behaves as latest rather than picking at random.
      const pick = latestSample(samples);
      return pick ? { value: pick.value, time: pick.sourceTime, contributors: 1 } : none;
    }
  }
}
