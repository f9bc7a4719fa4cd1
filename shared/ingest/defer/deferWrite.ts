// The defer half of the stage: the twins that did not fit the write window go to the store, merged
// into their buckets, BEFORE the invocation returns — so the host checkpoints their events only once
// their values are durable. Any failure here fails the invocation (the batch is redelivered).

import type { TwinUpdate } from '../message';
import { updateBucket } from './bucketUpdate';
import { bucketOf, deferredTwinOf, mergeBucket } from './deferredValues';
import type { DeferredValuesStore } from './store';

/** Merges the twins into the store; resolves the number of values deferred. */
export async function deferTwinUpdates(
  store: DeferredValuesStore,
  buckets: number,
  updates: readonly TwinUpdate[],
  at: Date,
): Promise<number> {
  const byBucket = new Map<string, TwinUpdate[]>();
  for (const update of updates) {
    const name = bucketOf(update.twinId, buckets);
    const list = byBucket.get(name);
    if (list) list.push(update);
    else byBucket.set(name, [update]);
  }
  const deferredAt = at.toISOString();
  await Promise.all(
    [...byBucket].map(([name, twins]) =>
      updateBucket(store, name, (bucket) =>
        mergeBucket(
          bucket,
          twins.map((t) => deferredTwinOf(t, deferredAt)),
        ),
      ),
    ),
  );
  return updates.reduce((n, u) => n + u.updates.length, 0);
}
