// The first touch by query (issue 25): twins this process has no copy of are read 50 to a query on the
// Query API's budget, not one GET each on the read budget. End to end through the registered function:
// what ADT is asked, what lands, and that a copy older than the twin (ADT's query index lags writes)
// costs a 412 and a fresh read, never a lost or rewound value.

import type { OperationKind } from '../../../local/emulator/types';
import { emptyCallStats } from '../../../shared/adt';
import { createRoom, events, type IngestApp, ingestApp, type IngestWorld, message, sourceTime, startWorld, twin } from './harness';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

let world: IngestWorld;
let sequence = 1;

const count = (operation: OperationKind): number => world.emulator.counters().operations[operation]?.requests ?? 0;
const rooms = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const send = (app: IngestApp, bodies: Array<[string, Record<string, unknown>]>) =>
  app.invoke(
    events(
      (sequence += bodies.length + 10),
      bodies.map(([deviceId, body]) => message(deviceId, body)),
    ),
  );

beforeAll(async () => {
  world = await startWorld();
});

afterAll(async () => {
  await world?.close();
});

it('reads 120 new twins with 3 queries and no GET, and writes each once', async () => {
  const ids = rooms('portfolio', 120);
  for (const id of ids) await createRoom(world, id);
  const app = await ingestApp(world, { ingest: { options: { sourceTime: 'ts' } } });
  world.emulator.resetCounters();

  const summary = await send(
    app,
    ids.map((id, i) => [id, { temperature: 20 + i / 100, ts: '2024-06-01T12:00:00.000Z' }]),
  );

  expect(summary).toMatchObject({ received: 120, applied: 120, deadLettered: 0 });
  expect({ queries: count('query'), reads: count('twin.read'), patches: count('twin.patch') }).toEqual({
    queries: 3,
    reads: 0,
    patches: 120,
  });
  const last = await twin(world, 'portfolio-119');
  expect([last.temperature, sourceTime(last, 'temperature')]).toEqual([21.19, '2024-06-01T12:00:00.000Z']);
});

it('leaves twins the query does not return to a GET: a missing twin is still refused as unknown', async () => {
  const ids = rooms('mixed', 4);
  for (const id of ids) await createRoom(world, id);
  const app = await ingestApp(world, { ingest: { options: { sourceTime: 'ts' }, unknownTwin: { action: 'dead-letter' } } });
  world.emulator.resetCounters();

  const summary = await send(
    app,
    [...ids, 'mixed-absent'].map((id) => [id, { temperature: 19, ts: '2024-06-01T12:00:00.000Z' }]),
  );

  expect(summary).toMatchObject({ received: 5, applied: 4, deadLettered: 1 });
  expect({ queries: count('query'), reads: count('twin.read') }).toEqual({ queries: 1, reads: 1 });
  const letters = await app.deadLetters();
  expect(letters.map((l) => l.document.reason)).toEqual(['unknown-twin']);
});

it('a copy older than the twin costs a 412 and a re-read; an older reading never rewinds a newer one', async () => {
  const ids = rooms('lagging', 2);
  for (const id of ids) await createRoom(world, id);
  const app = await ingestApp(world, { ingest: { options: { sourceTime: 'ts' } } });
  // The twin's copy is read by query (both twins are new to this process)...
  const gateway = app.runtime.gateway;
  const held = await gateway.preloadTwins(ids, { deadline: Date.now() + 10_000, stats: emptyCallStats() });
  expect([...held].sort()).toEqual(ids);
  // ...then another writer stores a newer reading, which the copy does not show.
  await world.admin.updateDigitalTwin('lagging-0', [
    { op: 'add', path: '/temperature', value: 30 },
    { op: 'add', path: '/$metadata/temperature/sourceTime', value: '2024-06-01T12:05:00.000Z' },
  ]);
  world.emulator.resetCounters();

  const summary = await send(app, [
    ['lagging-0', { temperature: 18, ts: '2024-06-01T12:01:00.000Z' }],
    ['lagging-1', { temperature: 18, ts: '2024-06-01T12:01:00.000Z' }],
  ]);

  expect(summary).toMatchObject({ received: 2, applied: 1, deadLettered: 0 });
  // lagging-0: the conditional PATCH met the newer twin (412), the re-read showed the newer sourceTime.
  expect(count('twin.read')).toBe(1);
  const newer = await twin(world, 'lagging-0');
  expect([newer.temperature, sourceTime(newer, 'temperature')]).toEqual([30, '2024-06-01T12:05:00.000Z']);
  const written = await twin(world, 'lagging-1');
  expect(written.temperature).toBe(18);
});
