// The W3C trace context a derived write sends: the cause's trace continued whole, so Application
// Insights (and any W3C tool) shows device → twin → parent → grandparent as ONE operation. ADT
// copies the request's trace-id into the notification the write causes (with a new span-id), so
// the next level continues the same trace-id again, whichever instance handles it.
import { randomBytes } from 'node:crypto';

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function parts(traceparent: string | undefined): { traceId: string; flags: string } | undefined {
  const match = traceparentPattern.exec(traceparent?.trim().toLowerCase() ?? '');
  // Version ff is invalid; an all-zero trace-id or span-id is invalid (W3C trace context §3.2.2).
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2] as string) || /^0+$/.test(match[3] as string)) return undefined;
  return { traceId: match[2] as string, flags: match[4] as string };
}

/** The trace-id of a valid traceparent; undefined for none or a malformed one. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return parts(traceparent)?.traceId;
}

/**
 * The traceparent a derived write sends: the cause's trace-id unchanged and its sampling flags, a
 * new span-id (the write is a new span). A missing or malformed cause starts a fresh trace.
 */
export function continueTrace(cause: string | undefined): string {
  const parsed = parts(cause);
  return `00-${parsed?.traceId ?? randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-${parsed?.flags ?? '01'}`;
}
