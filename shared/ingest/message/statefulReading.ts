// The vocabulary of stateful transforms (integrate, rate, ema, delta, counter): values computed from
// the twin's STORED state and the readings of one batch, never from process memory (Functions scale
// out and redeliver). Config compiles a mapping's stateful step into a StatefulTransform; mapping
// puts each reading on the update (value + sourceTime); coalescing keeps every reading instead of the
// newest; the writer folds them over the stored state (write/statefulValues).

/** A mapping's stateful step, compiled (ingest.rules[].properties[].transform.<kind>). */
export type StatefulTransform =
  | { kind: 'integrate'; input: string; perSeconds: number; maxGapSeconds?: number }
  | { kind: 'rate'; input: string; perSeconds: number; maxGapSeconds?: number }
  | { kind: 'ema'; input: string; timeConstantSeconds: number }
  | { kind: 'delta'; input: string }
  | { kind: 'counter'; input: string };

export type StatefulKind = StatefulTransform['kind'];

/** One reading of the mapping's source (after the value transforms), as the device sent it. */
export interface Reading {
  value: number;
  sourceTime: string;
  /** The event it came from: a skipped reading is filtered on that event, with its reason. */
  eventKey: string;
  sequenceNumber?: number;
}

/** Carried by the PropertyUpdate of a stateful target: the step and every reading of the batch. */
export interface StatefulStep {
  transform: StatefulTransform;
  readings: Reading[];
}

/** Why a reading changed nothing (a filter reason in the ledger and the batch summary). */
export type SkippedReadingReason = 'reading-out-of-order' | 'reading-already-folded';
