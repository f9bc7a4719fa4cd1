// Propagate's and reconcile's numbers, recorded once per event / run at their summaries, and one
// span per change notification continuing the trace the notification carries.
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

import { instruments } from './instruments';
import { meterName, spanNames } from './names';
import { contextOf } from './traceContext';

/** What this module reads of shared/rollup's EventSummary (structural). */
export interface PropagateEventNumbers {
  eventId: string | undefined;
  type: string | undefined;
  outcome: string;
  reason?: string;
  parentsRecomputed: number;
  writes: number;
  skippedUnchanged: number;
  hopLimited: number;
  deadLettered: number;
  preconditionRetries: number;
  parents: ReadonlyArray<{ parentId: string; status: string }>;
}

export interface PropagateEventTiming {
  started: number;
  ended: number;
  /** The notification's traceparent: ADT copies it from the write that caused the change. */
  traceparent: string | undefined;
}

export function recordPropagateEvent(summary: PropagateEventNumbers, timing: PropagateEventTiming): void {
  const m = instruments();
  m.propagateEvents.add(1, { outcome: summary.outcome, type: summary.type ?? 'unknown' });
  if (summary.writes > 0) m.propagateWrites.add(summary.writes);
  if (summary.skippedUnchanged > 0) m.propagateUnchanged.add(summary.skippedUnchanged);
  if (summary.hopLimited > 0) m.propagateHopLimited.add(summary.hopLimited);
  if (summary.deadLettered > 0) m.propagateDeadLettered.add(summary.deadLettered);
  if (summary.preconditionRetries > 0) m.adtRetries.add(summary.preconditionRetries, { function: 'propagate' });
  // Ignored events (telemetry, unrelated changes) are the bulk and say nothing: no span for them.
  if (summary.outcome === 'ignored') return;
  const written = summary.parents.filter((p) => p.status === 'written').map((p) => p.parentId);
  const span = trace.getTracer(meterName).startSpan(
    spanNames.propagateEvent,
    {
      kind: SpanKind.CONSUMER,
      startTime: timing.started,
      attributes: {
        'pipeline.event.id': summary.eventId ?? '',
        'pipeline.event.type': summary.type ?? '',
        'pipeline.parents.recomputed': summary.parentsRecomputed,
        'pipeline.parents.written': written,
        'pipeline.writes': summary.writes,
      },
    },
    contextOf(timing.traceparent),
  );
  if (summary.outcome === 'malformed' || summary.outcome === 'rejected')
    span.setStatus({ code: SpanStatusCode.ERROR, message: summary.reason ?? summary.outcome });
  span.end(timing.ended);
}

/** What this module reads of shared/rollup's ReconcileSummary. */
export interface ReconcileNumbers {
  written: number;
  unchanged: number;
  failures: readonly unknown[];
}

export function recordReconcile(summary: ReconcileNumbers): void {
  const m = instruments();
  if (summary.written > 0) m.reconcileParents.add(summary.written, { result: 'written' });
  if (summary.unchanged > 0) m.reconcileParents.add(summary.unchanged, { result: 'unchanged' });
  if (summary.failures.length > 0) m.reconcileParents.add(summary.failures.length, { result: 'failed' });
}

/** One ADT 429, from the gateway (all callers: ingest, propagate, reconcile). */
export function recordAdtThrottled(operation: string): void {
  instruments().adtThrottled.add(1, { operation });
}
