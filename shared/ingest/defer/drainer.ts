// Writes deferred values to ADT through the same twin writer and guards as a batch (sourceTime order,
// If-Match), within a write capacity, longest-waiting twin first; then removes from the store only
// what is still exactly as it was read. A crash after the ADT write and before the removal re-writes
// the value later, which the sourceTime guard turns into a skipped stale value: harmless. Two drainers
// on one bucket both write (harmless) and both remove under the bucket's ETag (nothing lost).

import type { AdtGateway, CallContext } from '../../adt';
import { type Clock, errorMessage, startLimited, systemClock } from '../../common';
import { buildDeadLetterDocument, type DeadLetterSink } from '../../deadLetter';
import { describeUpdatePath, type TwinUpdateResult } from '../message';
import { type TwinWriteOptions, writeTwinUpdate } from '../write';
import { readBucket, updateBucket } from './bucketUpdate';
import { type DeferredTwin, removeWritten, twinUpdateOf } from './deferredValues';
import type { DeferredValuesStore } from './store';

export interface DrainDeps {
  store: DeferredValuesStore;
  gateway: AdtGateway;
  deadLetters: DeadLetterSink;
  write: Omit<TwinWriteOptions, 'now'>;
  maxParallelTwins: number;
  clock?: Clock;
}

export interface DrainResult {
  /** Buckets holding values when the drain started (each holds a share of the deferred twins). */
  bucketsHoldingValues: number;
  bucketsRead: number;
  /** Deferred twins in the buckets read (all of them when every bucket was read). */
  twinsSeen: number;
  twinsWritten: number;
  valuesWritten: number;
  /** Values ADT already held newer: removed, not written. */
  valuesStale: number;
  valuesDeadLettered: number;
  /** Twins whose write failed transiently: left in the store for the next drain. */
  twinsLeft: number;
  /** Chosen but not started before the window closed: left in the store untouched. */
  twinsNotStarted: number;
  /** Seconds the longest-waiting twin seen had waited. */
  oldestDeferredAgeSeconds: number;
}

export const emptyDrain = (): DrainResult => ({
  bucketsHoldingValues: 0,
  bucketsRead: 0,
  twinsSeen: 0,
  twinsWritten: 0,
  valuesWritten: 0,
  valuesStale: 0,
  valuesDeadLettered: 0,
  twinsLeft: 0,
  twinsNotStarted: 0,
  oldestDeferredAgeSeconds: 0,
});

export class DeferredDrainer {
  /** Where this process's round-robin over the buckets continues, so every bucket gets its turn. */
  private cursor = 0;
  /**
   * Twins a drain of this process is writing now: the partitions' invocations and the timer drain
   * concurrently, and without this they would all pick the same longest-waiting twins and spend the
   * budget writing them several times (harmless, but a waste of exactly what is scarce).
   */
  private readonly claimed = new Set<string>();

  constructor(private readonly deps: DrainDeps) {}

  get store(): DeferredValuesStore {
    return this.deps.store;
  }

  /** Writes up to `capacity` deferred twins (all buckets once at most), none started after `startBy` (ms). */
  async drain(capacity: number, ctx: CallContext, startBy = Number.POSITIVE_INFINITY): Promise<DrainResult> {
    const result = emptyDrain();
    const names = await this.deps.store.list();
    result.bucketsHoldingValues = names.length;
    if (names.length === 0 || capacity < 1) return result;
    const clock = this.deps.clock ?? systemClock;
    let remaining = Math.floor(capacity);
    const start = this.cursor % names.length;
    for (let i = 0; i < names.length && remaining > 0 && clock.now() < startBy; i++) {
      const name = names[(start + i) % names.length] as string;
      const { bucket } = await readBucket(this.deps.store, name);
      result.bucketsRead += 1;
      result.twinsSeen += bucket.twins.length;
      const sorted = [...bucket.twins].sort((a, b) => (a.deferredAt < b.deferredAt ? -1 : a.deferredAt > b.deferredAt ? 1 : 0));
      const oldest = sorted[0];
      if (oldest)
        result.oldestDeferredAgeSeconds = Math.max(
          result.oldestDeferredAgeSeconds,
          Math.max(0, (clock.now() - Date.parse(oldest.deferredAt)) / 1000),
        );
      const waiting = sorted.filter((t) => !this.claimed.has(t.twinId));
      const chosen = waiting.slice(0, remaining);
      remaining -= chosen.length;
      // A bucket drained whole hands the turn to the next one; a partly drained one keeps it.
      this.cursor = chosen.length === waiting.length ? (start + i + 1) % names.length : (start + i) % names.length;
      for (const twin of chosen) this.claimed.add(twin.twinId);
      try {
        const done = await this.writeTwins(chosen, ctx, result, startBy);
        if (done.length > 0) await updateBucket(this.deps.store, name, (current) => removeWritten(current, done));
      } finally {
        for (const twin of chosen) this.claimed.delete(twin.twinId);
      }
    }
    return result;
  }

  private async writeTwins(twins: DeferredTwin[], ctx: CallContext, result: DrainResult, startBy: number): Promise<DeferredTwin[]> {
    const clock = this.deps.clock ?? systemClock;
    const options: TwinWriteOptions = { ...this.deps.write, now: () => clock.now() };
    // A fresh instance draining twins it never met reads them 50 to a query, not a GET each (best effort).
    if (twins.length > 1)
      await this.deps.gateway
        .preloadTwins(
          twins.map((t) => t.twinId),
          ctx,
        )
        .catch(() => undefined);
    // A twin whose turn comes after the window stays in the store untouched (undefined).
    const outcomes = await Promise.allSettled(
      startLimited(twins, this.deps.maxParallelTwins, (twin) =>
        clock.now() < startBy ? writeTwinUpdate(twinUpdateOf(twin), this.deps.gateway, ctx, options) : Promise.resolve(undefined),
      ),
    );
    const done: DeferredTwin[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      const twin = twins[i] as DeferredTwin;
      if (outcome.status === 'rejected') {
        // Throttled or transient past the deadline (or unexpected): it stays durable for the next drain.
        result.twinsLeft += 1;
        continue;
      }
      const written = outcome.value;
      if (written === undefined) {
        result.twinsNotStarted += 1;
        continue;
      }
      await this.deadLetterRejected(written, clock);
      // Twins this drain PATCHed; a value the twin already holds (another drain wrote it first) is applied with no write.
      result.twinsWritten += written.patches > 0 ? 1 : 0;
      result.valuesWritten += written.applied.length;
      result.valuesStale += written.stale.length;
      result.valuesDeadLettered += written.rejected.length;
      done.push(twin);
    }
    return done;
  }

  /** A drained value ADT refused: its events were checkpointed long ago, so the dead letter carries the value and the event keys. */
  private async deadLetterRejected(outcome: TwinUpdateResult, clock: Clock): Promise<void> {
    for (const rejected of outcome.rejected) {
      const path = describeUpdatePath(rejected.update);
      const document = buildDeadLetterDocument({
        event: { body: null },
        reason: rejected.reason,
        detail: `Deferred value ${outcome.twinId}${path} (events ${rejected.update.eventKeys.join(', ')}): ${rejected.detail}`,
        at: new Date(clock.now()),
        rejectedParts: [{ twinId: outcome.twinId, path, value: rejected.update.value, reason: rejected.reason, detail: rejected.detail }],
      });
      const safe = (text: string): string => text.replace(/[^A-Za-z0-9._-]/g, '_');
      try {
        await this.deps.deadLetters.write(
          `deferred/${safe(outcome.twinId)}/${safe(path)}-${safe(rejected.update.sourceTime)}.json`,
          document,
        );
      } catch (error) {
        throw new Error(`A deferred value ADT refused could not be dead-lettered (${errorMessage(error)}); it stays in the store.`);
      }
    }
  }
}
