// One read-modify-write of a bucket, repeated until it lands at the version it read: the store's
// conditional write is what makes two writers (instances, the drain timer) safe, this loop is what
// makes them succeed.

import { type DeferredBucket, emptyBucket, parseDeferredBucket } from './deferredValues';
import type { DeferredValuesStore } from './store';

/** Concurrent writers on one bucket are a handful of instances: this many re-reads is contention, not bad luck. */
const maxAttempts = 50;

export async function readBucket(
  store: DeferredValuesStore,
  name: string,
): Promise<{ bucket: DeferredBucket; version: string | undefined }> {
  const stored = await store.read(name);
  return {
    bucket: stored.version === undefined ? emptyBucket() : parseDeferredBucket(`${store.target}/${name}`, stored.text),
    version: stored.version,
  };
}

/** Applies `change` to the bucket as stored now; an emptied bucket is deleted, so listing shows only buckets with values. */
export async function updateBucket(
  store: DeferredValuesStore,
  name: string,
  change: (bucket: DeferredBucket) => DeferredBucket,
): Promise<DeferredBucket> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const { bucket, version } = await readBucket(store, name);
    const next = change(bucket);
    if (next.twins.length === 0) {
      if (version === undefined || (await store.remove(name, version))) return next;
      continue;
    }
    if (await store.write(name, JSON.stringify(next), version)) return next;
  }
  throw new Error(
    `Deferred-values bucket ${name} in ${store.target} changed under ${maxAttempts} consecutive read-modify-writes; the invocation fails and is retried.`,
  );
}
