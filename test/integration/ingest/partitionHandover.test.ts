// A partition that comes back (Event Hubs moved it away and back): the other instance wrote its twins
// meanwhile, so this instance's copies are older than ADT. A reading equal to the old copy must still
// be written — it is the newest — instead of being suppressed as "unchanged" against a stale copy.
// Two workers (two instances, each with its own gateway and cache) share one partition and one ADT.

import { PartitionHandovers } from '../../../shared/ingest';
import { createRoom, events, ingestApp, type IngestWorld, message, sourceTime, startWorld, twin } from './harness';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

let world: IngestWorld;

beforeAll(async () => {
  world = await startWorld();
  await createRoom(world, 'room-moved');
});

afterAll(async () => {
  await world?.close();
});

const reading = (sequence: number, temperature: number, minute: number) =>
  events(sequence, [
    message('room-moved', { temperature, ts: `2024-06-01T12:0${minute}:00.000Z` }, { enqueuedTime: `2024-06-01T12:0${minute}:30.000Z` }),
  ]);

it('an instance that gets its partition back writes a reading its stale copy would call unchanged', async () => {
  const a = await ingestApp(world, { ingest: { options: { sourceTime: 'ts' } } });
  const b = await ingestApp(world, { ingest: { options: { sourceTime: 'ts' } } });

  await a.invoke(reading(100, 20, 1), { partition: '3' }); // A owns partition 3: room-moved holds 20
  await b.invoke(reading(101, 21, 2), { partition: '3' }); // the partition moved to B: 21
  const back = await a.invoke(reading(102, 20, 3), { partition: '3' }); // and back to A: 20 again, the newest

  expect(back).toMatchObject({ applied: 1, patches: 1 });
  const stored = await twin(world, 'room-moved');
  expect([stored.temperature, sourceTime(stored, 'temperature')]).toEqual([20, '2024-06-01T12:03:00.000Z']);
});

it('a batch that continues the partition keeps its copies: an unchanged reading costs nothing', async () => {
  const a = await ingestApp(world, { ingest: { options: { sourceTime: 'ts' } } });
  await a.invoke(reading(200, 25, 4), { partition: '5' });
  world.emulator.resetCounters();

  const same = await a.invoke(reading(201, 25, 5), { partition: '5' });

  expect(same).toMatchObject({ applied: 0, filtered: 1, patches: 0, suppressedWrites: { unchanged: 1 } });
  expect(world.emulator.counters().operations['twin.read']?.requests ?? 0).toBe(0);
});

it('tells a gap from a continuation, a redelivery and a first batch', () => {
  const handovers = new PartitionHandovers();
  const batch = (...sequences: number[]) => sequences.map((sequenceNumber, index) => ({ body: {}, index, sequenceNumber }));
  expect(handovers.resumedAfterGap('0', batch(10, 11, 12))).toBe(false); // first batch of the partition here
  expect(handovers.resumedAfterGap('0', batch(13, 14))).toBe(false); // continues
  expect(handovers.resumedAfterGap('0', batch(12, 13, 14))).toBe(false); // redelivered to this process
  expect(handovers.resumedAfterGap('0', batch(20))).toBe(true); // 15–19 went elsewhere
  expect(handovers.resumedAfterGap('1', batch(20))).toBe(false); // partitions are separate
  expect(handovers.resumedAfterGap(undefined, batch(99))).toBe(false);
  expect(handovers.resumedAfterGap('0', [{ body: {}, index: 0 }])).toBe(false); // no sequence numbers
  expect(handovers.resumedAfterGap('0', batch(21))).toBe(false);
  // As the host sends int64: a Long {low, high}.
  expect(handovers.resumedAfterGap('0', [{ body: {}, index: 0, sequenceNumber: { low: 30, high: 0, unsigned: false } }])).toBe(true);
});
