// W3C trace context → OpenTelemetry span context, without a registered propagator (the API's
// propagation is a no-op until an SDK sets one, yet device traces must be continued regardless).
import { type Context, context, ROOT_CONTEXT, type SpanContext, trace, TraceFlags } from '@opentelemetry/api';

const pattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote span a traceparent names, or undefined when it is not valid W3C trace context. */
export function spanContextOf(traceparent: string | undefined): SpanContext | undefined {
  const match = traceparent === undefined ? null : pattern.exec(traceparent.trim().toLowerCase());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags] = match as unknown as [string, string, string, string, string];
  // Version ff is forbidden; all-zero ids are invalid (W3C trace-context §3.2.2).
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
}

/** A context whose parent is the traceparent's span; the active (or root) context when there is none. */
export function contextOf(traceparent: string | undefined): Context {
  const remote = spanContextOf(traceparent);
  return remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : context.active();
}
