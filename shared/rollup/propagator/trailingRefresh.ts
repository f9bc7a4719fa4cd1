// The trailing refresh: a parent recomputed from a view is recomputed once more, from freshly
// read children, `lagMs` after its last change. Views may trail ADT (a query index lags writes by
// up to 10 s; another instance may have handled some children's notifications), so this is what
// makes the final value exact. One timer per parent however many changes arrive.
import type { RecomputeRequestDetails } from '../engine';

interface Entry {
  timer: NodeJS.Timeout;
  /** Not before this (ms): the lag after the last change, longer after a topology change. */
  dueAt: number;
  request: RecomputeRequestDetails;
}

export class TrailingRefresh {
  private readonly entries = new Map<string, Entry>();
  private running = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly lagMs: number,
    private readonly run: (parentId: string, request: RecomputeRequestDetails) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  /** A parent was recomputed from a view (or its view changed): refresh it `lagMs` (+ `extraMs`) from now. */
  touch(parentId: string, request: RecomputeRequestDetails, extraMs = 0): void {
    const dueAt = this.now() + this.lagMs + Math.max(0, extraMs);
    const entry = this.entries.get(parentId);
    if (entry) {
      entry.dueAt = Math.max(entry.dueAt, dueAt);
      entry.request = {
        rules: new Set([...entry.request.rules, ...request.rules]),
        traceparent: request.traceparent ?? entry.request.traceparent,
      };
      return;
    }
    const fresh: Entry = { timer: this.arm(parentId, dueAt - this.now()), dueAt, request: { ...request, rules: new Set(request.rules) } };
    this.entries.set(parentId, fresh);
  }

  /** Parents waiting for their refresh. */
  get pending(): number {
    return this.entries.size + this.running;
  }

  /** Resolves when no refresh is pending or running (tests, the local runner, reconcile). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops every pending refresh (worker reset, shutdown). */
  close(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
    this.settle();
  }

  private arm(parentId: string, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => void this.fire(parentId), Math.max(0, delayMs));
    // A pending refresh must not keep a process (a test, a CLI) alive on its own.
    timer.unref();
    return timer;
  }

  private async fire(parentId: string): Promise<void> {
    const entry = this.entries.get(parentId);
    if (!entry) return;
    if (entry.dueAt > this.now()) {
      entry.timer = this.arm(parentId, entry.dueAt - this.now());
      return;
    }
    this.entries.delete(parentId);
    this.running += 1;
    try {
      await this.run(parentId, { ...entry.request, refresh: true });
    } catch {
      // The run reports its own failures; a refresh is best effort on top of notification handling.
    } finally {
      this.running -= 1;
      this.settle();
    }
  }

  private settle(): void {
    if (this.pending > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
