// A rate that adapts to ADT's answers, so N instances sharing one ADT instance stay inside its limits
// without talking to each other: additive increase while requests succeed, multiplicative decrease
// on a 429 (at most once per second, however many requests were throttled at once), and a pause for
// the Retry-After the service asked for. It starts from this instance's share of the limit (the limit
// divided by the configured maximum instance count) and never exceeds the limit itself.

import type { Clock } from '../common';

export interface AdaptiveRateOptions {
  /** ADT's limit (per second) that all instances together must stay under. */
  ceiling: number;
  /** How many instances may share it (ADT_MAX_INSTANCES); the start rate is ceiling / instances. */
  instances: number;
  /** Added per second of throttle-free traffic, as a share of the ceiling. Default 2 %. */
  increasePerSecond?: number;
  /** The rate never drops below this share of the start rate. Default 10 %. */
  floorShare?: number;
}

export class AdaptiveRate {
  private rate: number;
  private readonly ceiling: number;
  private readonly floor: number;
  private readonly step: number;
  private updatedAt: number;
  private decreasedAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = 0;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    options: AdaptiveRateOptions,
  ) {
    const instances = Math.max(1, Math.floor(options.instances));
    this.ceiling = options.ceiling;
    this.rate = options.ceiling / instances;
    this.floor = Math.max(0.5, this.rate * (options.floorShare ?? 0.1));
    this.step = options.ceiling * (options.increasePerSecond ?? 0.02);
    this.updatedAt = clock.now();
  }

  /** Operations per second allowed now. */
  get perSecond(): number {
    this.grow(this.clock.now());
    return this.rate;
  }

  /** When the service last asked everyone to wait (Retry-After), until then nothing is sent. */
  get resumeAt(): number {
    return this.pausedUntil;
  }

  throttled(retryAfterMs: number | undefined): void {
    const now = this.clock.now();
    this.grow(now);
    if (now - this.decreasedAt >= 1000) {
      this.rate = Math.max(this.floor, this.rate / 2);
      this.decreasedAt = now;
    }
    if (retryAfterMs !== undefined && retryAfterMs > 0) this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
  }

  private grow(now: number): void {
    // No growth while paused or in the second after a decrease: the service just said "too much".
    const from = Math.max(this.updatedAt, this.decreasedAt + 1000, this.pausedUntil);
    this.updatedAt = Math.max(this.updatedAt, now);
    if (now <= from) return;
    this.rate = Math.min(this.ceiling, this.rate + (this.step * (now - from)) / 1000);
  }
}
