// Runtime guard for cyclic twin graphs the models allow (the load-time check sees models, not
// twins). A derived write causes a notification that causes the next level's write; in a cycle that
// chain comes back to a parent it already wrote, under the same trace-id — derived writes continue
// their cause's trace whole (derivedTrace.ts), and ADT carries the trace-id into each notification.
//
// So this instance counts its derived writes per (trace-id, parent, newest input sourceTime) and
// refuses one beyond maxHops. An acyclic chain writes each parent once per change (a diamond: once
// per path); a cycle writes the same parent again and again with the same newest sourceTime (a
// derived value carries its inputs' newest sourceTime, which a loop passes around unchanged). The
// sourceTime in the key keeps a device that re-sends one traceparent with every message from being
// taken for a loop: each new reading has a new sourceTime.
//
// Across instances nothing is shared, and nothing needs to be: whichever instances handle the
// loop's notifications, each refuses after maxHops writes of a parent, so a loop makes at most
// (instances × parents in the loop × maxHops) writes, then no write → no notification → the chain
// ends. The refused write is reported (hopLimit) and logged with its trace-id.
import { LruCache } from '../../common';

export interface HopGuardOptions {
  /** (trace, parent) entries remembered (memory bound). Default 100,000. */
  capacity?: number;
  /** How long a chain is remembered after its last write. Default 1 hour: far longer than a loop takes to run away. */
  ttlMs?: number;
  now?: () => number;
}

export class HopGuard {
  private readonly writes: LruCache<string, number>;

  constructor(
    readonly maxHops: number,
    options: HopGuardOptions = {},
  ) {
    const now = options.now;
    this.writes = new LruCache({
      capacity: options.capacity ?? 100_000,
      ttlMs: options.ttlMs ?? 3_600_000,
      ...(now && { clock: { now } }),
    });
  }

  /** True when this instance may write `parentId` once more for the chain of `traceId`; a chain
   * without a trace-id (reconcile, a person) is not a chain of ours and is always allowed. */
  allows(traceId: string | undefined, parentId: string, sourceTime: string | undefined): boolean {
    if (traceId === undefined) return true;
    return (this.writes.get(key(traceId, parentId, sourceTime)) ?? 0) < this.maxHops;
  }

  /** Counts a derived write made for the chain of `traceId`. */
  record(traceId: string | undefined, parentId: string, sourceTime: string | undefined): void {
    if (traceId === undefined) return;
    const k = key(traceId, parentId, sourceTime);
    this.writes.set(k, (this.writes.get(k) ?? 0) + 1);
  }
}

const key = (traceId: string, parentId: string, sourceTime: string | undefined): string =>
  `${traceId}\u0000${parentId}\u0000${sourceTime ?? ''}`;
