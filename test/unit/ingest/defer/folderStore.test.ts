// The folder store (local runs): conditional writes and removes, and concurrent merges into one
// bucket that lose nothing (the read-modify-write retries at the version it read).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { deferTwinUpdates, FolderDeferredValuesStore, readBucket } from '../../../../shared/ingest/defer';
import type { TwinUpdate } from '../../../../shared/ingest/message';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'deferred-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const update = (twinId: string, value: number): TwinUpdate => ({
  twinId,
  ifMissing: { policy: 'deadLetter' },
  updates: [
    {
      twinId,
      property: 'temperature',
      value,
      sourceTime: `2024-01-01T00:00:${String(value % 60).padStart(2, '0')}Z`,
      eventKeys: [`e${value}`],
      rule: '(model)',
    },
  ],
});

it('writes only at the version read: a stale version or a second create is refused', async () => {
  const store = new FolderDeferredValuesStore(directory);
  expect(await store.write('bucket-0000.json', 'a', undefined)).toBe(true);
  expect(await store.write('bucket-0000.json', 'b', undefined)).toBe(false);
  const read = await store.read('bucket-0000.json');
  expect(await store.write('bucket-0000.json', 'c', read.version)).toBe(true);
  expect(await store.write('bucket-0000.json', 'd', read.version)).toBe(false);
  expect(await store.remove('bucket-0000.json', 'a')).toBe(false);
  expect(await store.remove('bucket-0000.json', 'c')).toBe(true);
  expect(await store.list()).toEqual([]);
  await expect(store.read('../escape.json')).rejects.toThrow(/not a plain file name/);
});

it('concurrent merges into one bucket keep every twin (one bucket, forty writers)', async () => {
  const store = new FolderDeferredValuesStore(directory);
  await Promise.all(
    Array.from({ length: 40 }, (_, i) => deferTwinUpdates(store, 1, [update(`room-${i}`, i)], new Date('2024-01-01T00:01:00Z'))),
  );
  const { bucket } = await readBucket(store, 'bucket-0000.json');
  expect(bucket.twins.map((t) => t.twinId).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `room-${i}`).sort());
  expect((await readdir(directory)).filter((n) => n.endsWith('.lock') || n.endsWith('.tmp'))).toEqual([]);
});
