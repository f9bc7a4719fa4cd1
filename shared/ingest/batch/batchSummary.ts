// The one structured log line per ingest batch.

import type { TwinUpdateResult } from '../message';

export interface BatchSummary {
  event: 'ingest.batch';
  partitionId?: string;
  received: number;
  applied: number;
  filtered: number;
  deadLettered: number;
  /** Dead-lettered messages by the reason that decided them. */
  deadLetteredByReason: Record<string, number>;
  /** Filtered messages by the reason that decided them. */
  filteredByReason: Record<string, number>;
  /**
   * Every event by what IoT Hub says it is (iothub-message-source): telemetry,
   * deviceConnectionStateEvents, deviceLifecycleEvents, twinChangeEvents, digitalTwinChangeEvents,
   * other; `undecoded` for events decoding refused before it could tell.
   */
  receivedBySource: Record<string, number>;
  /** Applied messages of which some values were refused: each also has a dead-letter document. */
  partiallyApplied: number;
  /** Dead-letter documents written: one per dead-lettered message and one per partly applied one. */
  deadLetterDocuments: number;
  /** Every refused part of a decoded message (a value, its telemetry, or the whole message), by reason. */
  rejectedValuesByReason: Record<string, number>;
  twinsPatched: number;
  twinsCreated: number;
  patches: number;
  operations: number;
  messagesCoalesced: number;
  telemetrySent: number;
  staleValuesSkipped: number;
  /** Stateful transforms' readings that changed nothing, by reason (reading-out-of-order, reading-already-folded); absent when none. */
  readingsSkipped?: Record<string, number>;
  /** Values not written because they were not worth a write (issue 25), by reason: unchanged, within-deadband. */
  suppressedWrites: Record<string, number>;
  /** Values written only because their maxAge heartbeat was due (unchanged or within the deadband otherwise). */
  heartbeatWrites: number;
  /** Source times more than maxClockSkewSeconds ahead of the enqueued time, replaced by it. */
  futureSourceTimesClamped: number;
  /** Device traceparents that were not valid W3C trace context and so were not forwarded. */
  traceparentsDropped: number;
  /** Messages whose body or application properties held keys `__proto__`, `constructor` or `prototype`: removed at decode. */
  prototypeKeysRemoved: number;
  adtRequests: number;
  retries: number;
  throttled429: number;
  durationMs: number;
  /** Present when a deferred-values store is configured (shared/ingest/defer). */
  deferral?: {
    /** Twins this invocation could write within its window (the gateway's patch budget × DEFER_WRITE_WINDOW_SECONDS). */
    writeCapacity: number;
    twinsDeferred: number;
    valuesDeferred: number;
    /** Deferred twins written to ADT at the start of this invocation, and their values. */
    twinsDrained: number;
    valuesDrained: number;
    /** Buckets of the store that held values when the drain started (0 = nothing deferred anywhere). */
    bucketsHoldingValues: number;
    oldestDeferredAgeSeconds: number;
    /** The drain failed (the values stay in the store); the batch itself went on. */
    drainError?: string;
  };
}

/** The batch's suppressed values by reason and its heartbeat writes. */
export function writeSignificanceTotals(results: readonly TwinUpdateResult[]): Pick<BatchSummary, 'suppressedWrites' | 'heartbeatWrites'> {
  const suppressedWrites: Record<string, number> = {};
  let heartbeatWrites = 0;
  for (const result of results) {
    for (const { reason } of result.suppressed ?? []) suppressedWrites[reason] = (suppressedWrites[reason] ?? 0) + 1;
    heartbeatWrites += result.heartbeats ?? 0;
  }
  return { suppressedWrites, heartbeatWrites };
}
