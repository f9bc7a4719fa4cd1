// One run of the drain timer: the quiet-period path that empties the store when no ingest invocation
// comes to drain it. Drains a window's worth at a time until the store is empty, nothing more could
// be written, or the run's time is up; then reports the store as it found it.

import { type AdtGateway, type CallContext, emptyCallStats } from '../../adt';
import { type Clock, systemClock } from '../../common';
import { recordDeferral } from '../../telemetry';
import { type Deferral, writeCapacity } from './deferral';

export interface DrainRunSummary {
  event: 'ingest.drain';
  passes: number;
  /** Deferred twins found in the first pass's buckets (the whole store when it read every bucket). */
  twinsSeen: number;
  bucketsHoldingValues: number;
  twinsWritten: number;
  valuesWritten: number;
  valuesStale: number;
  valuesDeadLettered: number;
  /** Twins whose write failed transiently in the last pass: still in the store. */
  twinsLeft: number;
  oldestDeferredAgeSeconds: number;
  adtRequests: number;
  throttled429: number;
  durationMs: number;
}

export async function drainDeferredValues(
  deferral: Deferral,
  gateway: AdtGateway,
  options: { runSeconds: number; clock?: Clock },
): Promise<DrainRunSummary> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  // No drain pass or twin write starts after the run's time; one already sent gets a minute more, so
  // the run never abandons a request ADT may already have applied.
  const startBy = started + options.runSeconds * 1000;
  const ctx: CallContext = { deadline: startBy + 60_000, stats: emptyCallStats() };
  const summary: DrainRunSummary = {
    event: 'ingest.drain',
    passes: 0,
    twinsSeen: 0,
    bucketsHoldingValues: 0,
    twinsWritten: 0,
    valuesWritten: 0,
    valuesStale: 0,
    valuesDeadLettered: 0,
    twinsLeft: 0,
    oldestDeferredAgeSeconds: 0,
    adtRequests: 0,
    throttled429: 0,
    durationMs: 0,
  };
  while (clock.now() < startBy) {
    const pass = await deferral.drainer.drain(writeCapacity(gateway, deferral.windowSeconds), ctx, startBy);
    if (summary.passes === 0) {
      summary.twinsSeen = pass.twinsSeen;
      summary.bucketsHoldingValues = pass.bucketsHoldingValues;
      summary.oldestDeferredAgeSeconds = Math.round(pass.oldestDeferredAgeSeconds * 10) / 10;
    }
    summary.passes += 1;
    summary.twinsWritten += pass.twinsWritten;
    summary.valuesWritten += pass.valuesWritten;
    summary.valuesStale += pass.valuesStale;
    summary.valuesDeadLettered += pass.valuesDeadLettered;
    summary.twinsLeft = pass.twinsLeft;
    const removed = pass.twinsWritten + pass.valuesStale + pass.valuesDeadLettered;
    if (pass.bucketsHoldingValues === 0 || removed === 0) break;
  }
  summary.adtRequests = ctx.stats.requests;
  summary.throttled429 = ctx.stats.throttled;
  summary.durationMs = clock.now() - started;
  recordDeferral({
    valuesDeferred: 0,
    valuesDrained: summary.valuesWritten,
    storeTwins: summary.twinsSeen,
    oldestDeferredAgeSeconds: summary.oldestDeferredAgeSeconds,
  });
  return summary;
}
