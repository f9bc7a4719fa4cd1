// FIFO delivery to one endpoint. With concurrency 1 (the default) an event is not attempted before the
// previous one was delivered or dead-lettered, so a consumer sees one twin's changes in order.
import type { Notification } from '../../types';
import { adtTimestamp } from '../stamp';
import { backoffDelay, type DeadLetter, type DeliveryPolicy, type EndpointStats } from './policy';

/**
 * `copy` is this queued copy of the notification: two routes to one endpoint queue the same
 * notification twice, and each copy is delivered (ADT delivers both) with retries of its own.
 */
export type DeliverFn = (notification: Notification, attempt: number, signal: AbortSignal, copy: QueuedCopy) => Promise<void>;

export interface QueuedCopy {
  readonly notification: Notification;
}

export interface EndpointQueueOptions {
  name: string;
  deliver: DeliverFn;
  policy: DeliveryPolicy;
  concurrency: number;
  onDeadLetter: (deadLetter: DeadLetter) => void;
  /** Called whenever a delivery settles, so the router can resolve idle() waiters. */
  onSettled: () => void;
}

export class EndpointQueue {
  private readonly waiting: QueuedCopy[] = [];
  private active = 0;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private readonly counts = { enqueued: 0, delivered: 0, failedAttempts: 0, deadLettered: 0, dropped: 0 };
  private closedWaiters: Array<() => void> = [];

  constructor(private readonly options: EndpointQueueOptions) {}

  enqueue(notification: Notification): void {
    if (this.closed) {
      this.counts.dropped++;
      return;
    }
    this.counts.enqueued++;
    this.waiting.push({ notification });
    this.pump();
  }

  /** Counts an event the router discarded for this endpoint without attempting it. */
  recordDropped(): void {
    this.counts.dropped++;
  }

  get busy(): boolean {
    return this.active > 0 || this.waiting.length > 0;
  }

  stats(): EndpointStats {
    return { ...this.counts, pending: this.active + this.waiting.length };
  }

  /** Drops waiting events, cancels backoff sleeps and in-flight requests; resolves once nothing runs. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.counts.dropped += this.waiting.length;
      this.waiting.length = 0;
      this.abort.abort();
      for (const sleep of this.sleeps) {
        clearTimeout(sleep.timer);
        sleep.wake();
      }
      this.sleeps.clear();
    }
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  private pump(): void {
    while (!this.closed && this.active < this.options.concurrency) {
      const next = this.waiting.shift();
      if (!next) return;
      this.active++;
      void this.run(next).then(() => {
        this.active--;
        this.pump();
        if (this.active === 0 && this.closed) this.releaseCloseWaiters();
        this.options.onSettled();
      });
    }
  }

  /** Never rejects: every outcome ends as delivered, dead-lettered or dropped (on close). */
  private async run(copy: QueuedCopy): Promise<void> {
    const { notification } = copy;
    const { policy } = this.options;
    let lastError = '';
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      try {
        await this.options.deliver(notification, attempt, this.abort.signal, copy);
        this.counts.delivered++;
        return;
      } catch (error) {
        if (this.closed) {
          this.counts.dropped++;
          return;
        }
        this.counts.failedAttempts++;
        lastError = error instanceof Error ? error.message : String(error);
      }
      if (attempt < policy.maxAttempts) await this.sleep(backoffDelay(policy, attempt));
      if (this.closed) {
        this.counts.dropped++;
        return;
      }
    }
    this.counts.deadLettered++;
    this.options.onDeadLetter({
      endpointName: this.options.name,
      notification,
      attempts: policy.maxAttempts,
      lastError,
      deadLetteredAt: adtTimestamp(),
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      this.sleeps.add(entry);
    });
  }

  private releaseCloseWaiters(): void {
    const waiters = this.closedWaiters;
    this.closedWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
