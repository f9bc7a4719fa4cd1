// Exact sliding one-second window: a slot frees exactly one window after the op that took it.

export class SlidingWindow {
  // Accepted op times in ascending order; `head` skips expired entries without shifting the array each time.
  private times: number[] = [];
  private head = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1000,
  ) {}

  /** Milliseconds until a slot frees, or 0 when one is free now. */
  waitMs(now: number): number {
    this.expire(now);
    if (this.size() < this.limit) return 0;
    const oldestBlocking = this.times[this.head + this.size() - this.limit] ?? now;
    return Math.max(1, oldestBlocking + this.windowMs - now);
  }

  record(now: number): void {
    this.times.push(now);
  }

  /** True when no op is inside the window any more, so the owner may drop this window. */
  isEmpty(now: number): boolean {
    this.expire(now);
    return this.size() === 0;
  }

  private size(): number {
    return this.times.length - this.head;
  }

  private expire(now: number): void {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - this.windowMs) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
