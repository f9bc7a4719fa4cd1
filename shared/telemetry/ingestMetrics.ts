// Ingest's numbers, recorded once per batch at its summary (never inside the per-message loops of
// processBatch), and one span per batch linked to the device traces it carried.
import { type Link, SpanKind, trace } from '@opentelemetry/api';

import { instruments } from './instruments';
import { meterName, spanNames } from './names';
import { spanContextOf } from './traceContext';

/** What this module reads of shared/ingest's BatchSummary (structural: telemetry imports no core folder). */
export interface IngestBatchNumbers {
  received: number;
  applied: number;
  filtered: number;
  deadLettered: number;
  deadLetteredByReason: Record<string, number>;
  /** Absent in summaries from before message kinds (then filtered messages count without a reason). */
  filteredByReason?: Record<string, number>;
  receivedBySource?: Record<string, number>;
  twinsPatched: number;
  messagesCoalesced: number;
  staleValuesSkipped: number;
  /** Values not worth a write, by reason (optional: summaries from before deadbands have none). */
  suppressedWrites?: Record<string, number>;
  heartbeatWrites?: number;
  telemetrySent: number;
  retries: number;
  partitionId?: string;
}

/** What this module reads of a deferral (an ingest batch's or a drain run's). */
export interface DeferralNumbers {
  valuesDeferred: number;
  valuesDrained: number;
  /** Deferred twins in the store (drain timer only; undefined from a batch, which reads part of it). */
  storeTwins?: number;
  oldestDeferredAgeSeconds: number;
}

export function recordDeferral(numbers: DeferralNumbers): void {
  const m = instruments();
  if (numbers.valuesDeferred > 0) m.ingestValuesDeferred.add(numbers.valuesDeferred);
  if (numbers.valuesDrained > 0) m.ingestValuesDrained.add(numbers.valuesDrained);
  if (numbers.storeTwins !== undefined) m.ingestDeferredTwins.record(numbers.storeTwins);
  m.ingestDeferredOldestAge.record(numbers.oldestDeferredAgeSeconds);
}

/** The decoded messages of the batch: when the hub enqueued each, and the device's trace. */
export interface IngestedMessage {
  enqueuedTime: string;
  traceparent?: string;
}

export interface BatchTiming {
  /** ms since the epoch when the batch started and ended (the summary's clock). */
  started: number;
  ended: number;
}

export function recordIngestBatch(summary: IngestBatchNumbers, messages: readonly IngestedMessage[], timing: BatchTiming): void {
  const m = instruments();
  m.ingestBatches.add(1);
  // Every message once, so applied + filtered + dead-lettered = received over any window.
  if (summary.applied > 0) m.ingestMessages.add(summary.applied, { outcome: 'applied' });
  if (summary.filteredByReason === undefined) {
    if (summary.filtered > 0) m.ingestMessages.add(summary.filtered, { outcome: 'filtered' });
  } else {
    for (const [reason, count] of Object.entries(summary.filteredByReason)) m.ingestMessages.add(count, { outcome: 'filtered', reason });
  }
  for (const [source, count] of Object.entries(summary.receivedBySource ?? {})) m.ingestSources.add(count, { source });
  for (const [reason, count] of Object.entries(summary.deadLetteredByReason))
    m.ingestMessages.add(count, { outcome: 'dead-lettered', reason });
  if (summary.twinsPatched > 0) m.ingestTwinsPatched.add(summary.twinsPatched);
  if (summary.messagesCoalesced > 0) m.ingestValuesCoalesced.add(summary.messagesCoalesced);
  if (summary.staleValuesSkipped > 0) m.ingestStaleSkipped.add(summary.staleValuesSkipped);
  for (const [reason, count] of Object.entries(summary.suppressedWrites ?? {}))
    if (count > 0) m.ingestWritesSuppressed.add(count, { reason });
  if ((summary.heartbeatWrites ?? 0) > 0) m.ingestHeartbeatWrites.add(summary.heartbeatWrites ?? 0);
  if (summary.telemetrySent > 0) m.ingestTelemetrySent.add(summary.telemetrySent);
  if (summary.retries > 0) m.adtRetries.add(summary.retries, { function: 'ingest' });
  m.ingestBatchDuration.record((timing.ended - timing.started) / 1000);
  // Lag is measured against the end of the batch: that is when the value is in ADT.
  if (!m.noop) {
    for (const message of messages) {
      const enqueued = Date.parse(message.enqueuedTime);
      if (Number.isFinite(enqueued)) m.ingestLag.record(Math.max(0, (timing.ended - enqueued) / 1000));
    }
  }
  const span = trace.getTracer(meterName).startSpan(spanNames.ingestBatch, {
    kind: SpanKind.CONSUMER,
    startTime: timing.started,
    attributes: {
      'pipeline.partition': summary.partitionId ?? '',
      'pipeline.messages.received': summary.received,
      'pipeline.messages.applied': summary.applied,
      'pipeline.messages.filtered': summary.filtered,
      'pipeline.messages.dead_lettered': summary.deadLettered,
      'pipeline.twins_patched': summary.twinsPatched,
    },
  });
  // A batch has many parents (one per device trace), so it links to them rather than choosing one
  // (the OpenTelemetry messaging convention for batch receive). ADT writes carry each device's own
  // traceparent, which ADT puts on its change notification: propagate continues that trace.
  if (span.isRecording()) {
    const links: Link[] = [];
    for (const message of messages) {
      const linked = spanContextOf(message.traceparent);
      if (linked) links.push({ context: linked });
    }
    span.addLinks(links);
  }
  span.end(timing.ended);
}
