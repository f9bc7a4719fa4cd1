// Coalescing over time when ADT is the bottleneck (issue 25.2), end to end: host-shaped batches
// through the ingest function's registration, the emulator behind the real SDK with a tiny patch
// budget, the deferred-values store in Azurite. More distinct twins arrive than the window can
// write: each invocation writes at most its capacity (so its duration is bounded by the window
// whatever the offered load), stores the rest durably before returning, and the drainers (the next
// invocations, the timer) bring every twin to its newest value, leaving the store empty.

import { BlobServiceClient } from '@azure/storage-blob';

import { drainDeferredValuesHandler } from '../../../functions/drainDeferredValues';
import { stubCredential } from '../../../local/emulator/trust';
import { compilePipelineConfig } from '../../../shared/config';
import type { PipelineConfigFile } from '../../../shared/config/types';
import { BlobDeferredValuesStore, type DeferredValuesStore, drainDeferredValues, processBatch, readBucket } from '../../../shared/ingest';
import { settings } from '../../../shared/settings';
import { createWorker, type IngestRuntime } from '../../../shared/worker';
import { MemorySink } from '../../support/memorySink';
import { createRoom, events, type IngestApp, ingestApp, type IngestWorld, message, sourceTime, startWorld, twin } from './harness';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

const pipeline: PipelineConfigFile = { ingest: { options: { sourceTime: 'ts' } } };
const twins = Array.from({ length: 30 }, (_, i) => `room-${String(i).padStart(2, '0')}`);
const at = (minute: number, second = 0): string =>
  `2024-06-01T12:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;
/** 20 patches/s and a 0.5 s window: 9 twins per invocation (the sliding-window budget keeps 5 % spare). */
const tinyBudget = {
  [settings.adtPatchesPerSecond.name]: '20',
  [settings.deferWriteWindowSeconds.name]: '0.5',
  [settings.deferBuckets.name]: '4',
};

let world: IngestWorld;
let sequence = 1000;

beforeAll(async () => {
  world = await startWorld();
  for (const id of twins) await createRoom(world, id);
}, 60_000);

afterAll(async () => {
  await world?.close();
});

/** Every twin reports once per "minute", each reading different from the last: the adversarial shape. */
function round(minute: number) {
  const batch = events(
    sequence,
    twins.map((id, i) => message(id, { temperature: minute * 100 + i, ts: at(minute, i) }, { enqueuedTime: at(minute, 59) })),
  );
  sequence += batch.length;
  return batch;
}

async function storedTwins(store: DeferredValuesStore): Promise<number> {
  let count = 0;
  for (const name of await store.list()) count += (await readBucket(store, name)).bucket.twins.length;
  return count;
}

const blobStore = (container: string) => new BlobDeferredValuesStore({ connectionString: world.azurite.connectionString }, container);

/** A fresh worker (own gateway, caches, drainer cursor) on the same store: another instance, or the process after a crash. */
function freshRuntime(container: string, store: DeferredValuesStore = blobStore(container)): IngestRuntime {
  return createWorker({
    env: { ...tinyBudget, [settings.adtUrl.name]: world.emulator.url },
    config: compilePipelineConfig(pipeline, 'deferral-test'),
    client: { credential: stubCredential, httpClient: world.http },
    deadLetters: new MemorySink(),
    deferredValues: store,
    retryPolicy: { baseDelayMs: 5, maxDelayMs: 50 },
  }).ingest;
}

async function expectNewest(minute: number): Promise<void> {
  for (const [i, id] of twins.entries()) {
    const document = await twin(world, id);
    expect([id, document.temperature, sourceTime(document, 'temperature')]).toEqual([id, minute * 100 + i, at(minute, i)]);
  }
}

it('bounds every invocation by its write window, defers the rest durably, and drains every twin to its newest value', async () => {
  const app: IngestApp = await ingestApp(world, pipeline, {
    env: { ...tinyBudget, [settings.deferredValuesContainer.name]: 'deferred-main' },
  });
  const deferral = app.runtime.deferral;
  if (!deferral) throw new Error('the ingest runtime built no deferral from the settings');
  const capacity = Math.floor(app.runtime.gateway.budgets().writes * 0.5);
  expect(capacity).toBe(9);

  let received = 0;
  let applied = 0;
  for (let minute = 1; minute <= 3; minute++) {
    world.emulator.resetCounters();
    const summary = await app.invoke(round(minute));
    received += summary.received;
    applied += summary.applied;
    // The write window holds: drained + fresh twin writes never exceed the capacity, whatever arrived.
    expect(summary.twinsPatched + (summary.deferral?.twinsDrained ?? 0)).toBeLessThanOrEqual(capacity);
    const patches = Object.values(world.emulator.counters().twinWrites).reduce((n, w) => n + w.patch, 0);
    expect(patches).toBeLessThanOrEqual(capacity);
    expect(summary.deferral?.twinsDeferred).toBeGreaterThan(0);
    // Nothing is only in memory once the invocation returned: every twin not written now is in the store.
    expect(summary.twinsPatched + (summary.deferral?.twinsDeferred ?? 0)).toBe(twins.length);
  }
  expect([received, applied]).toEqual([90, 90]);
  expect(await storedTwins(deferral.store)).toBeGreaterThan(0);
  expect(await storedTwins(deferral.store)).toBeLessThanOrEqual(twins.length);

  // Quiet period: the drain timer (the registered handler over this runtime) empties the store.
  const drain = drainDeferredValuesHandler(() => app.runtime);
  const context = { info: jest.fn() };
  for (let run = 0; run < 10 && (await deferral.store.list()).length > 0; run++) await drain({} as never, context as never);
  expect(await deferral.store.list()).toEqual([]);
  await expectNewest(3);
}, 120_000);

it('a value stored before a crash reaches ADT through a fresh worker; a re-write after a crash before removal is harmless', async () => {
  const container = 'deferred-crash';
  const app = await ingestApp(world, pipeline, { env: { ...tinyBudget, [settings.deferredValuesContainer.name]: container } });
  await app.invoke(round(4));
  // The process "dies" here: its memory (gateway, caches, cursor) is gone; the store is not.
  const survivor = freshRuntime(container);
  const store = survivor.deferral!.store;
  const before = await storedTwins(store);
  expect(before).toBeGreaterThan(0);

  // A drainer writes to ADT and then dies before removing: its removal never happens.
  let crashOnRemoval = true;
  const crashing: DeferredValuesStore = {
    target: store.target,
    list: () => store.list(),
    read: (name) => store.read(name),
    write: (name, text, version) => (crashOnRemoval ? Promise.reject(new Error('process died')) : store.write(name, text, version)),
    remove: (name, version) => (crashOnRemoval ? Promise.reject(new Error('process died')) : store.remove(name, version)),
  };
  const dying = freshRuntime(container, crashing);
  await expect(drainDeferredValues(dying.deferral!, dying.gateway, { runSeconds: 5 })).rejects.toThrow(/process died/);
  crashOnRemoval = false;
  expect(await storedTwins(store)).toBe(before);

  // Meanwhile newer readings arrive and are written directly; the old entries must not overwrite them.
  const next = freshRuntime(container);
  const rawNewer = round(5).map((event) => ({
    body: Buffer.from(JSON.stringify(event.envelope.body)),
    index: 0,
    sequenceNumber: event.sequenceNumber,
    enqueuedTimeUtc: '2024-06-01T12:05:59.000',
    systemProperties: { 'iothub-connection-device-id': event.envelope.deviceId },
    properties: {},
  }));
  await processBatch(rawNewer, { ...next, deferral: undefined, partitionId: '0' });
  await expectNewest(5);

  // The survivor drains the leftovers: each is re-written (the first drainer's write) or stale; none wins over minute 5.
  const summary = await drainDeferredValues(survivor.deferral!, survivor.gateway, { runSeconds: 10 });
  expect(summary.valuesStale).toBe(before);
  expect(await store.list()).toEqual([]);
  await expectNewest(5);
}, 120_000);

it('two workers draining one store at once lose nothing, and redelivered events change nothing', async () => {
  const container = 'deferred-two';
  const app = await ingestApp(world, pipeline, { env: { ...tinyBudget, [settings.deferredValuesContainer.name]: container } });
  const batch = round(6);
  await app.invoke(batch);
  const store = app.runtime.deferral!.store;
  const once = await Promise.all((await store.list()).map(async (name) => (await readBucket(store, name)).bucket));
  // Redelivery (the host retries the batch): the store holds the same entries, one per twin.
  await app.invoke(batch);
  const twice = await Promise.all((await store.list()).map(async (name) => (await readBucket(store, name)).bucket));
  const entries = (buckets: typeof once) =>
    buckets.flatMap((b) => b.twins.map((t) => [t.twinId, t.values.map((v) => [v.value, v.sourceTime])])).sort();
  // The redelivery drained what the first delivery deferred and deferred the whole batch again (its
  // window was spent draining): still one entry per twin, each exactly the minute-6 reading.
  expect(entries(once).length).toBeGreaterThan(0);
  expect(new Set(entries(twice).map(([id]) => id)).size).toBe(entries(twice).length);
  expect(entries(twice).length).toBeLessThanOrEqual(twins.length);
  for (const [id, values] of entries(twice)) {
    const i = twins.indexOf(id as string);
    expect(values).toEqual([[600 + i, at(6, i)]]);
  }

  const a = freshRuntime(container);
  const b = freshRuntime(container);
  const drains = await Promise.all([
    drainDeferredValues(a.deferral!, a.gateway, { runSeconds: 10 }),
    drainDeferredValues(b.deferral!, b.gateway, { runSeconds: 10 }),
  ]);
  // Both drained (written or found written by the other): nothing left, nothing lost.
  expect(drains.reduce((n, d) => n + d.valuesWritten + d.valuesStale, 0)).toBeGreaterThanOrEqual(entries(twice).length);
  expect(await store.list()).toEqual([]);
  await expectNewest(6);
  const client = BlobServiceClient.fromConnectionString(world.azurite.connectionString).getContainerClient(container);
  expect(await client.exists()).toBe(true);
}, 120_000);

// Last: its readings (minutes 50–52) are newer than every other test's.
it('a deferred heartbeat is written when it is drained, and a deferred reading within its deadband is not', async () => {
  const watched: PipelineConfigFile = {
    ingest: {
      options: { sourceTime: 'ts', maxAgeSeconds: 60 },
      rules: [{ name: 'room', properties: [{ target: 'temperature', deadband: { absolute: 0.5 } }] }],
    },
  };
  const app = await ingestApp(world, watched, { env: { ...tinyBudget, [settings.deferredValuesContainer.name]: 'deferred-heartbeats' } });
  const deferral = app.runtime.deferral;
  if (!deferral) throw new Error('the ingest runtime built no deferral from the settings');
  const drainAll = async () => {
    const drain = drainDeferredValuesHandler(() => app.runtime);
    for (let run = 0; run < 10 && (await deferral.store.list()).length > 0; run++) await drain({} as never, { info: jest.fn() } as never);
    expect(await deferral.store.list()).toEqual([]);
  };
  const readings = (minute: number, second: number, value: (i: number) => number) => {
    const batch = events(
      sequence,
      twins.map((id, i) => message(id, { temperature: value(i), ts: at(minute, second + i) }, { enqueuedTime: at(minute, 59) })),
    );
    sequence += batch.length;
    return batch;
  };
  await app.invoke(readings(50, 0, (i) => 1000 + i));
  await drainAll();

  // 30 s later, within the deadband: nothing to write, whether now or when drained.
  world.emulator.resetCounters();
  const quiet = await app.invoke(readings(50, 30, (i) => 1000.2 + i));
  await drainAll();
  expect(quiet.deferral?.twinsDeferred).toBeGreaterThan(0);
  expect(Object.values(world.emulator.counters().twinWrites).reduce((n, w) => n + w.patch, 0)).toBe(0);

  // Two minutes later, the same values: a heartbeat for every twin, most of them deferred and drained.
  world.emulator.resetCounters();
  const due = await app.invoke(readings(52, 0, (i) => 1000 + i));
  expect(due.deferral?.twinsDeferred).toBeGreaterThan(0);
  await drainAll();
  for (const [i, id] of twins.entries()) {
    const document = await twin(world, id);
    expect([id, document.temperature, sourceTime(document, 'temperature')]).toEqual([id, 1000 + i, at(52, i)]);
  }
  expect(Object.values(world.emulator.counters().twinWrites).reduce((n, w) => n + w.patch, 0)).toBe(twins.length);
}, 120_000);

it('ranks a batch by what ADT holds even for twins known only by their guard copies: the changed twin is written at once', async () => {
  const app = await ingestApp(world, pipeline, { env: { ...tinyBudget, [settings.deferredValuesContainer.name]: 'deferred-ranking' } });
  const deferral = app.runtime.deferral;
  if (!deferral) throw new Error('the ingest runtime built no deferral from the settings');
  const batch = (minute: number, value: (i: number) => number) => {
    const built = events(
      sequence,
      twins.map((id, i) => message(id, { temperature: value(i), ts: at(minute, i) }, { enqueuedTime: at(minute, 59) })),
    );
    sequence += built.length;
    return built;
  };
  // A fresh worker meets the twins by query: it holds guard copies only, never full ones.
  await app.invoke(batch(54, (i) => 5400 + i));
  const drain = drainDeferredValuesHandler(() => app.runtime);
  for (let run = 0; run < 10 && (await deferral.store.list()).length > 0; run++) await drain({} as never, { info: jest.fn() } as never);
  expect(app.runtime.gateway.cachedTwin(twins[0] as string)).toBeUndefined();
  expect(app.runtime.gateway.guardCopy(twins[0] as string)?.twin.temperature).toBe(5400);

  // Only the batch's first twin changed (its reading is the oldest of the batch, so freshness alone
  // would rank it last): it goes first, the 29 unchanged ones wait for the drain.
  const summary = await app.invoke(batch(55, (i) => (i === 0 ? -1 : 5400 + i)));
  expect(summary.deferral?.twinsDeferred).toBeGreaterThan(0);
  expect((await twin(world, twins[0] as string)).temperature).toBe(-1);
}, 120_000);
