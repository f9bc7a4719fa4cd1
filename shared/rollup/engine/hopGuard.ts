// Runtime guard for cyclic twin graphs the models allow (the load-time check sees models, not
// twins). Each derived write is one hop deeper than the change that caused it, and beyond maxHops
// it is refused.
//
// The depth must survive the round trip through ADT, because the next hop's notification may be
// handled by any instance. ADT carries exactly one thing from a write into its notification: the
// request's trace-id (the notification's traceparent has the request's trace-id and a new
// span-id; tracestate is not carried). So a derived write sends a traceparent whose trace-id
// encodes its depth (hopTrace.ts); whoever handles the notification reads the depth back from it.
// Nothing is kept in memory.
import { hopDepthOf } from './hopTrace';

export class HopGuard {
  constructor(readonly maxHops: number) {}

  /** Depth of the change a notification reports: what its trace-id says, 0 for a change no derived write made. */
  depthOf(traceparent: string | undefined): number {
    return hopDepthOf(traceparent);
  }

  /** True when writing at `depth` stays within the limit. */
  allows(depth: number): boolean {
    return depth <= this.maxHops;
  }
}
