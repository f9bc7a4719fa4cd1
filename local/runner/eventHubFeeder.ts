// Plays the Event Hubs side of the ingest trigger: envelopes are enqueued on partitions (sequence
// numbers, offsets), each partition is read in order in batches of at most maxEventBatchSize, and a
// batch whose invocation throws is redelivered per the function's retry policy (at-least-once).
// As the host does, a partition is invoked again as soon as its previous batch returned, with
// everything that arrived meanwhile (up to the ceiling): when the function lags, batches grow by
// themselves. With minEventBatchSize > 1 the next batch waits for that many events, or maxWaitTime.
// After the last retry the host checkpoints anyway and the batch is gone, so that is reported.
import { envelopeBodyBytes, type TelemetryEnvelope } from './envelope';
import { type EnqueuedEvent, partitionFor } from './eventHubTriggerRequest';
import type { RetryPolicy } from './retryPolicy';

export interface BatchInvoker {
  (partitionId: string, events: EnqueuedEvent[], retryCount: number, maxRetryCount: number): Promise<void>;
}

export interface LostBatch {
  partitionId: string;
  firstSequenceNumber: number;
  events: number;
  attempts: number;
  error: string;
}

export interface FeederOptions {
  partitionCount: number;
  maxBatchSize: number;
  /** host.json minEventBatchSize: wait for this many events (at most maxWaitMs) before invoking. Default 1. */
  minBatchSize?: number;
  /** host.json maxWaitTime in ms; only used when minBatchSize > 1. */
  maxWaitMs?: number;
  retry: RetryPolicy;
  invoke: BatchInvoker;
  onRetry?: (partitionId: string, retry: number, error: unknown) => void;
  sleep?: (ms: number) => Promise<void>;
}

interface Partition {
  id: string;
  nextSequenceNumber: number;
  nextOffset: number;
  waiting: EnqueuedEvent[];
  running: Promise<void> | undefined;
  /** Set while the partition waits for minEventBatchSize: called when events arrive or the feeder stops. */
  wake: (() => void) | undefined;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class EventHubFeeder {
  readonly lost: LostBatch[] = [];
  private readonly partitions = new Map<string, Partition>();
  private readonly sleep: (ms: number) => Promise<void>;
  private stopped = false;

  constructor(private readonly options: FeederOptions) {
    if (!(options.partitionCount >= 1)) throw new Error('partitionCount must be at least 1.');
    if (!(options.maxBatchSize >= 1)) throw new Error('maxEventBatchSize must be at least 1 (host.json extensions.eventHubs).');
    if (options.minBatchSize !== undefined && !(options.minBatchSize >= 1))
      throw new Error('minEventBatchSize must be at least 1 (host.json extensions.eventHubs).');
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** IoT Hub enqueues in arrival order; replay sorts by enqueuedTime (stable) to match. */
  enqueue(envelopes: readonly TelemetryEnvelope[]): void {
    const ordered = envelopes
      .map((e, i) => ({ e, i }))
      .sort((a, b) => Date.parse(a.e.enqueuedTime) - Date.parse(b.e.enqueuedTime) || a.i - b.i);
    for (const { e } of ordered) {
      const partition = this.partition(partitionFor(e, this.options.partitionCount));
      partition.waiting.push({ envelope: e, sequenceNumber: partition.nextSequenceNumber++, offset: partition.nextOffset });
      partition.nextOffset += envelopeBodyBytes(e).length;
    }
    for (const partition of this.partitions.values()) {
      partition.wake?.();
      this.pump(partition);
    }
  }

  /** Resolves once every enqueued event was delivered (or its batch given up). */
  async drained(): Promise<void> {
    for (;;) {
      const running = [...this.partitions.values()].flatMap((p) => (p.running ? [p.running] : []));
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  get pending(): number {
    let n = 0;
    for (const p of this.partitions.values()) n += p.waiting.length;
    return n;
  }

  stop(): void {
    this.stopped = true;
    for (const partition of this.partitions.values()) partition.wake?.();
  }

  private partition(id: string): Partition {
    let p = this.partitions.get(id);
    if (!p) {
      p = { id, nextSequenceNumber: 1, nextOffset: 0, waiting: [], running: undefined, wake: undefined };
      this.partitions.set(id, p);
    }
    return p;
  }

  private pump(partition: Partition): void {
    if (partition.running || partition.waiting.length === 0) return;
    partition.running = (async () => {
      while (!this.stopped && partition.waiting.length > 0) {
        await this.accumulate(partition);
        if (this.stopped) break;
        const batch = partition.waiting.splice(0, this.options.maxBatchSize);
        await this.deliver(partition.id, batch);
      }
    })().finally(() => {
      partition.running = undefined;
    });
  }

  /** minEventBatchSize: hold the next invocation until that many events wait, or maxWaitTime passed. */
  private accumulate(partition: Partition): Promise<void> {
    const min = this.options.minBatchSize ?? 1;
    if (min <= 1 || partition.waiting.length >= min) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        partition.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.maxWaitMs ?? 60_000);
      partition.wake = () => {
        if (this.stopped || partition.waiting.length >= min) done();
      };
    });
  }

  private async deliver(partitionId: string, batch: EnqueuedEvent[]): Promise<void> {
    const { retry } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.invoke(partitionId, batch, attempt, retry.maxRetryCount);
        return;
      } catch (error) {
        const exhausted = retry.maxRetryCount !== -1 && attempt >= retry.maxRetryCount;
        if (exhausted || this.stopped) {
          this.lost.push({
            partitionId,
            firstSequenceNumber: batch[0]?.sequenceNumber ?? 0,
            events: batch.length,
            attempts: attempt + 1,
            error: error instanceof Error ? error.message : String(error),
          });
          return;
        }
        this.options.onRetry?.(partitionId, attempt + 1, error);
        await this.sleep(retry.delayMs(attempt + 1));
      }
    }
  }
}
