// Token buckets for ADT's published rate limits: writes per twin (10/s, not adjustable) and
// patches per instance (1,000/s by default). A caller reserves a token and then waits out the
// deficit, so concurrent callers queue in arrival order instead of all retrying at once.

import type { Clock } from '../common';
import { AdaptiveRate } from './adaptiveRate';

export interface RateBudget {
  /** Sustained operations per second. */
  perSecond: number;
  /** Operations allowed back to back before the sustained rate applies. */
  burst: number;
}

/**
 * Requests reach ADT after a network delay that varies (jitter): two sent exactly one second apart
 * may arrive a little less than a second apart, so a budget of exactly the limit still trips 429s
 * in ADT's window. This share of the limit is kept free for that (5 % covers 50 ms of jitter or a stalled event loop).
 */
export const arrivalJitterShare = 0.05;

/**
 * A budget that never exceeds `limit` operations in ANY one-second window, which is how ADT counts
 * (a sliding window), even after network jitter. A bucket with burst b and rate r admits b + r
 * operations in one second, so a full-size burst would let 2 × limit through and trip 429s: keep
 * the burst at one, and the rate one below the limit less the jitter share.
 */
export function slidingWindowBudget(limit: number): RateBudget {
  return { burst: 1, perSecond: Math.max(1, Math.min(limit - 1, Math.floor(limit * (1 - arrivalJitterShare)))) };
}

class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly budget: { burst: number; readonly perSecond: number },
    now: number,
  ) {
    this.tokens = budget.burst;
    this.updatedAt = now;
  }

  /** Takes one token (possibly going into debt); returns how long to wait before using it. */
  reserve(now: number): number {
    this.refill(now);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.budget.perSecond) * 1000);
  }

  isIdle(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.budget.burst;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.budget.burst, this.tokens + elapsed * this.budget.perSecond);
    this.updatedAt = now;
  }
}

/** One instance-wide bucket (its rate fixed or adaptive) plus one bucket per key (twin id). */
export class RateLimiter {
  private readonly instance: TokenBucket;
  private readonly adaptive: AdaptiveRate | undefined;
  private readonly perKey = new Map<string, TokenBucket>();
  /** Keeps the per-twin map from growing without bound on a long-lived worker. */
  private static readonly pruneAbove = 10_000;

  constructor(
    private readonly clock: Clock,
    instanceBudget: RateBudget | AdaptiveRate,
    private readonly keyBudget: RateBudget | undefined,
  ) {
    this.adaptive = instanceBudget instanceof AdaptiveRate ? instanceBudget : undefined;
    const rate = instanceBudget;
    // The bucket reads the (possibly adapting) rate at every refill; a burst of one keeps any
    // one-second window at or under the rate, as ADT counts.
    this.instance = new TokenBucket(
      instanceBudget instanceof AdaptiveRate
        ? {
            burst: 1,
            get perSecond() {
              return rate.perSecond;
            },
          }
        : instanceBudget,
      clock.now(),
    );
  }

  /** The instance-wide rate now (ops/s). */
  get perSecond(): number {
    return this.adaptive?.perSecond ?? Number.NaN;
  }

  /** ADT answered 429: slow down (adaptive budgets only) and hold everything until Retry-After. */
  throttled(retryAfterMs: number | undefined): void {
    this.adaptive?.throttled(retryAfterMs);
  }

  /** Resolves when one operation (on `key`, if given) may be sent; returns the ms waited. */
  async acquire(key?: string): Promise<number> {
    const now = this.clock.now();
    let wait = Math.max(0, (this.adaptive?.resumeAt ?? 0) - now, this.instance.reserve(now));
    if (key !== undefined && this.keyBudget) wait = Math.max(wait, this.bucketFor(key, now).reserve(now));
    if (wait > 0) await this.clock.sleep(wait);
    return wait;
  }

  private bucketFor(key: string, now: number): TokenBucket {
    let bucket = this.perKey.get(key);
    if (!bucket) {
      if (this.perKey.size >= RateLimiter.pruneAbove) this.prune(now);
      bucket = new TokenBucket(this.keyBudget as RateBudget, now);
      this.perKey.set(key, bucket);
    }
    return bucket;
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.perKey) if (bucket.isIdle(now)) this.perKey.delete(key);
  }
}
