// The arithmetic of stateful transforms: pure functions from (stored state, readings) to the new
// value. The state is what the twin stores — the input property's value and its sourceTime (the last
// reading folded) and the target's value (the total, rate or smoothed value) — so it survives
// scale-out, restarts and redelivery, and a 412 re-read simply folds again from the fresh state.
//
// Rules (documented in shared/config/CONFIGURATION.md, "Stateful transforms"):
// - readings are folded in sourceTime order (then sequence number);
// - a reading older than the state's time is skipped (reading-out-of-order): a total never rewinds;
// - a reading at the state's time is skipped (reading-already-folded): a redelivery changes nothing;
// - integrate is the trapezoid rule: total += (previous + reading) / 2 × Δt / per;
// - a step longer than maxGapSeconds is not integrated (nor a rate computed across it): the total is
//   kept and the reading starts a new segment;
// - counter: a reading below the previous one is a device reset: total += reading (the device counted
//   from 0 again); otherwise total += reading − previous. The first reading ever makes the total the
//   reading itself (the device's count so far), unless a total is stored already (then it is the baseline);
// - ema: alpha = 1 − exp(−Δt / τ), value += alpha × (reading − value); the first reading is the value.

import { compareSourceTimes, parseIsoMillis } from '../../common';
import type { Reading, SkippedReadingReason, StatefulTransform } from '../message';

/** What the twin stores for one stateful target. */
export interface StatefulState {
  /** The input property's stored value (the last reading folded), when it is a number. */
  previous?: number;
  /** Its stored sourceTime: the state's time. */
  previousTime?: string;
  /** The target's stored value, when it is a number. */
  output?: number;
}

export interface FoldOutcome {
  /** The state after the fold (unchanged when every reading was skipped). */
  state: StatefulState;
  /** The readings that moved the state, in fold order. */
  folded: Reading[];
  skipped: Array<{ reading: Reading; reason: SkippedReadingReason }>;
}

/** Readings in the order they are folded: sourceTime, then sequence number. */
export function inFoldOrder(readings: readonly Reading[]): Reading[] {
  return [...readings].sort(
    (a, b) => compareSourceTimes(a.sourceTime, b.sourceTime) || (a.sequenceNumber ?? -1) - (b.sequenceNumber ?? -1),
  );
}

/** Folds readings over the stored state. */
export function foldReadings(transform: StatefulTransform, stored: StatefulState, readings: readonly Reading[]): FoldOutcome {
  let state: StatefulState = { ...stored };
  const folded: Reading[] = [];
  const skipped: FoldOutcome['skipped'] = [];
  for (const reading of inFoldOrder(readings)) {
    const order = state.previousTime === undefined ? 1 : compareSourceTimes(reading.sourceTime, state.previousTime);
    if (order <= 0) {
      skipped.push({ reading, reason: order < 0 ? 'reading-out-of-order' : 'reading-already-folded' });
      continue;
    }
    state = step(transform, state, reading);
    folded.push(reading);
  }
  return { state, folded, skipped };
}

/** One reading folded into the state. */
export function step(transform: StatefulTransform, state: StatefulState, reading: Reading): StatefulState {
  const value = reading.value;
  const next: StatefulState = { previous: value, previousTime: reading.sourceTime };
  const { previous, previousTime, output } = state;
  const seconds = previous === undefined || previousTime === undefined ? undefined : secondsBetween(previousTime, reading.sourceTime);
  const withinGap =
    seconds !== undefined && !('maxGapSeconds' in transform && transform.maxGapSeconds !== undefined && seconds > transform.maxGapSeconds);
  switch (transform.kind) {
    case 'integrate': {
      const total = output ?? 0;
      next.output =
        withinGap && previous !== undefined ? total + ((previous + value) / 2) * ((seconds as number) / transform.perSeconds) : total;
      break;
    }
    case 'rate':
      if (withinGap && previous !== undefined && (seconds as number) > 0)
        next.output = ((value - previous) / (seconds as number)) * transform.perSeconds;
      else if (output !== undefined) next.output = output;
      break;
    case 'delta':
      if (previous !== undefined) next.output = value - previous;
      else if (output !== undefined) next.output = output;
      break;
    case 'counter':
      if (previous === undefined) next.output = output ?? value;
      else next.output = (output ?? 0) + (value < previous ? value : value - previous);
      break;
    case 'ema':
      if (output === undefined || seconds === undefined) next.output = value;
      else next.output = output + (1 - Math.exp(-seconds / transform.timeConstantSeconds)) * (value - output);
      break;
  }
  return next;
}

function secondsBetween(from: string, to: string): number {
  return (parseIsoMillis(to) - parseIsoMillis(from)) / 1000;
}
