// Runtime guard for cyclic twin graphs the models allow (the load-time check sees models, not
// twins). Each derived write is one hop deeper than the change that caused it; the depth is
// tracked per trace and twin, because ADT notifications carry the traceparent of the write.
import { LruCache } from '../common';

export function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/i.exec(traceparent?.trim() ?? '');
  return match?.[1]?.toLowerCase();
}

export class HopGuard {
  private readonly depths: LruCache<string, number>;

  constructor(
    readonly maxHops: number,
    capacity = 50_000,
  ) {
    this.depths = new LruCache({ capacity });
  }

  /** Depth of a change to `twinId` in this trace: 0 unless this instance wrote it as a derived value. */
  depthOf(traceparent: string | undefined, twinId: string): number {
    const trace = traceIdOf(traceparent);
    return trace === undefined ? 0 : (this.depths.get(`${trace}|${twinId}`) ?? 0);
  }

  /** True when writing `twinId` at `depth` stays within the limit. */
  allows(depth: number): boolean {
    return depth <= this.maxHops;
  }

  recordWrite(traceparent: string | undefined, twinId: string, depth: number): void {
    const trace = traceIdOf(traceparent);
    if (trace !== undefined) this.depths.set(`${trace}|${twinId}`, depth);
  }
}
