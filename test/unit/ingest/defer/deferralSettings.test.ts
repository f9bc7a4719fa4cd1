// The deferral settings take effect: DEFERRED_VALUES_DIRECTORY picks the folder store,
// DEFER_WRITE_WINDOW_SECONDS × the patch budget caps the twins one invocation writes, DEFER_BUCKETS
// spreads them, DEFERRED_VALUES_CONTAINER names the blob container; no store = no window.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { compilePipelineConfig } from '../../../../shared/config';
import {
  BlobDeferredValuesStore,
  deferredValuesStoreFromSettings,
  FolderDeferredValuesStore,
  processBatch,
  type RawEvent,
} from '../../../../shared/ingest';
import { openWriteWindow } from '../../../../shared/ingest/defer';
import { settings } from '../../../../shared/settings';
import { createWorker } from '../../../../shared/worker';
import { MemorySink } from '../../../support/memorySink';
import { FakeClock, FakePort } from '../../adt/fakes';

const event = (index: number, deviceId: string): RawEvent => ({
  body: Buffer.from(JSON.stringify({ temperature: index })),
  index,
  sequenceNumber: 100 + index,
  enqueuedTimeUtc: '2024-05-01T10:00:00',
  systemProperties: { 'iothub-connection-device-id': deviceId },
  properties: {},
});

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'deferral-settings-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function run(env: NodeJS.ProcessEnv, twins: number) {
  const port = new FakePort();
  for (let i = 0; i < twins; i++) port.addTwin(`room-${i}`);
  const clock = new FakeClock();
  const w = createWorker({
    env,
    config: compilePipelineConfig({ ingest: { rules: [{ name: 'room', properties: [{ target: 'temperature' }] }] } }, 'test.yaml'),
    port,
    deadLetters: new MemorySink(),
    clock,
  });
  const result = await processBatch(
    Array.from({ length: twins }, (_, i) => event(i, `room-${i}`)),
    { ...w.ingest, clock },
  );
  return { result, patched: port.calls.filter((c) => c.method === 'updateTwin').length };
}

it('caps the twins written per invocation at window × budget and stores the rest in DEFER_BUCKETS files of the folder', async () => {
  const env = {
    [settings.deferredValuesDirectory.name]: directory,
    [settings.adtPatchesPerSecond.name]: '100',
    [settings.deferWriteWindowSeconds.name]: '0.2',
    [settings.deferBuckets.name]: '3',
  };
  const { result, patched } = await run(env, 40);
  expect(result.summary.deferral).toMatchObject({ writeCapacity: 19, twinsDeferred: 21, valuesDeferred: 21 });
  expect(patched).toBe(19);
  expect(result.summary.applied).toBe(40);
  const files = (await readdir(directory)).filter((n) => n.endsWith('.json'));
  expect(files.length).toBeGreaterThan(1);
  expect(files.every((n) => /^bucket-000[0-2]\.json$/.test(n))).toBe(true);

  const wider = await run(
    { ...env, [settings.deferWriteWindowSeconds.name]: '1', [settings.deferredValuesDirectory.name]: join(directory, 'wider') },
    40,
  );
  expect([wider.result.summary.deferral?.writeCapacity, wider.patched]).toEqual([95, 40]);
});

it('without a store nothing is deferred, whatever the load', async () => {
  const { result, patched } = await run({ [settings.adtPatchesPerSecond.name]: '100', [settings.deferWriteWindowSeconds.name]: '0.2' }, 40);
  expect([result.summary.deferral, patched]).toEqual([undefined, 40]);
});

it('picks the folder over blob storage, and the named container in the dead-letter account', () => {
  const credential = () => {
    throw new Error('no credential needed');
  };
  expect(
    deferredValuesStoreFromSettings(credential, {
      [settings.deferredValuesDirectory.name]: directory,
      [settings.deadLetterStorage.name]: 'UseDevelopmentStorage=true',
    }),
  ).toBeInstanceOf(FolderDeferredValuesStore);
  const blob = deferredValuesStoreFromSettings(credential, {
    [settings.deadLetterStorage.name]: 'UseDevelopmentStorage=true',
    [settings.deferredValuesContainer.name]: 'my-deferred',
  });
  expect(blob).toBeInstanceOf(BlobDeferredValuesStore);
  expect(blob?.target).toMatch(/container my-deferred$/);
  expect(deferredValuesStoreFromSettings(credential, { [settings.deadLetterStorage.name]: 'UseDevelopmentStorage=true' })?.target).toMatch(
    /container deferred-values$/,
  );
  expect(deferredValuesStoreFromSettings(credential, {})).toBeUndefined();
});

it('partitions sharing one process split the window: each open window gets an equal share of the budget', () => {
  const gateway = { budgets: () => ({ writes: 100, reads: 100, telemetry: 100 }) };
  const deferral = { store: new FolderDeferredValuesStore(directory), drainer: undefined as never, buckets: 4, windowSeconds: 1 };
  const first = openWriteWindow(deferral, gateway, 0);
  const second = openWriteWindow(deferral, gateway, 0);
  const third = openWriteWindow(deferral, gateway, 500);
  expect([first.capacity, second.capacity, third.capacity, third.startBy]).toEqual([100, 50, 33, 1500]);
  first.close();
  first.close();
  second.close();
  expect(openWriteWindow(deferral, gateway, 0).capacity).toBe(50);
});

it('defers the twins whose turn comes after the window closed, even within the capacity (slow ADT, shared budget)', async () => {
  const env = {
    [settings.deferredValuesDirectory.name]: directory,
    [settings.adtPatchesPerSecond.name]: '100',
    [settings.deferWriteWindowSeconds.name]: '1',
  };
  const port = new FakePort();
  for (let i = 0; i < 20; i++) port.addTwin(`room-${i}`);
  const clock = new FakeClock();
  // Every PATCH takes 300 ms of ADT's time: after about a second no new write may start.
  const slow = port.updateTwin.bind(port);
  port.updateTwin = async (...args: Parameters<FakePort['updateTwin']>) => {
    clock.time += 300;
    return slow(...args);
  };
  const w = createWorker({
    env,
    config: compilePipelineConfig(
      { ingest: { options: { maxParallelTwins: 1 }, rules: [{ name: 'room', properties: [{ target: 'temperature' }] }] } },
      'test.yaml',
    ),
    port,
    deadLetters: new MemorySink(),
    clock,
  });
  const { summary } = await processBatch(
    Array.from({ length: 20 }, (_, i) => event(i, `room-${i}`)),
    { ...w.ingest, clock },
  );
  expect(summary.deferral?.writeCapacity).toBe(95);
  expect(summary.twinsPatched).toBe(4);
  expect(summary.deferral?.twinsDeferred).toBe(16);
  expect(summary.applied).toBe(20);
});

it('concurrent drains of one process (partitions, the timer) never write the same deferred twin twice', async () => {
  const env = {
    [settings.deferredValuesDirectory.name]: directory,
    [settings.adtPatchesPerSecond.name]: '100',
    [settings.deferWriteWindowSeconds.name]: '0.05',
  };
  const port = new FakePort();
  for (let i = 0; i < 12; i++) port.addTwin(`room-${i}`);
  const clock = new FakeClock();
  const w = createWorker({
    env,
    config: compilePipelineConfig({ ingest: { rules: [{ name: 'room', properties: [{ target: 'temperature' }] }] } }, 'test.yaml'),
    port,
    deadLetters: new MemorySink(),
    clock,
  });
  const { summary } = await processBatch(
    Array.from({ length: 12 }, (_, i) => event(i, `room-${i}`)),
    { ...w.ingest, clock },
  );
  expect(summary.deferral?.twinsDeferred).toBe(8);
  port.calls.length = 0;
  const { drainer } = w.ingest.deferral!;
  const ctx = { deadline: clock.now() + 60_000, stats: { requests: 0, retries: 0, throttled: 0 } };
  const [a, b] = await Promise.all([drainer.drain(100, ctx as never), drainer.drain(100, ctx as never)]);
  expect(a.twinsWritten + b.twinsWritten).toBe(8);
  expect(port.calls.filter((c) => c.method === 'updateTwin')).toHaveLength(8);
  expect(await w.ingest.deferral!.store.list()).toEqual([]);
});
