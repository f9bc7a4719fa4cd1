// The hop depth of a derived write, carried in the W3C trace-id of the request that writes it
// (the one field ADT copies from a request into the notification it causes).
//
// A trace-id is 32 hex digits. A derived write at depth d sends
//   <first 20 hex digits of the cause's trace-id><HOP_MARK (8 hex)><d as 4 hex digits>
// so the trace keeps 80 bits of its origin (search logs by that prefix to follow a chain from the
// device message to the top), the mark says "this trace-id carries a depth", and d reads back on
// any instance. A trace-id without the mark is depth 0 (a device write, a person, reconcile); a
// random trace-id carries the mark by chance with probability 2^-32.
import { randomBytes } from 'node:crypto';

/** Arbitrary, fixed: a trace-id whose digits 21–28 are these carries a hop depth in digits 29–32. */
export const HOP_MARK = '7a3f0d1e';
const MAX_DEPTH = 0xffff;

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function parts(traceparent: string | undefined): { traceId: string; flags: string } | undefined {
  const match = traceparentPattern.exec(traceparent?.trim().toLowerCase() ?? '');
  if (!match || match[1] === 'ff') return undefined;
  return { traceId: match[2] as string, flags: match[4] as string };
}

/** The hop depth a traceparent carries: 0 unless its trace-id has the mark. */
export function hopDepthOf(traceparent: string | undefined): number {
  const traceId = parts(traceparent)?.traceId;
  if (traceId === undefined || traceId.slice(20, 28) !== HOP_MARK) return 0;
  return Number.parseInt(traceId.slice(28), 16);
}

/**
 * The traceparent a derived write at `depth` sends: the cause's trace-id prefix (a fresh one when
 * there is no valid cause), the mark, the depth; a new span-id (this write is a new span) and the
 * cause's sampling flags.
 */
export function traceparentAtHop(cause: string | undefined, depth: number): string {
  const parsed = parts(cause);
  const prefix = parsed?.traceId.slice(0, 20) ?? randomBytes(10).toString('hex');
  const hop = Math.min(MAX_DEPTH, Math.max(0, Math.floor(depth))).toString(16).padStart(4, '0');
  return `00-${prefix}${HOP_MARK}${hop}-${randomBytes(8).toString('hex')}-${parsed?.flags ?? '01'}`;
}
