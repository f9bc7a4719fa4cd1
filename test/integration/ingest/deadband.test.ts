// Write only what matters (issue 25 item 1), end to end: host-shaped batches through the registered
// function into the emulator. Equal values and values within a deadband cost no PATCH (and so send no
// Twin.Update notification, which is what would start a parent's roll-up recompute); they are
// filtered with their reason; the stored sourceTime stays on the reading that last changed the value
// (or the last heartbeat); maxAge writes an unchanged value again; out-of-order readings stay stale.
// This is CONFIGURATION.md's worked example.

import type { PipelineConfigFile } from '../../../shared/config/types';
import { createRoom, events, type IngestApp, ingestApp, type IngestWorld, message, sourceTime, startWorld, twin } from './harness';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

const worked: PipelineConfigFile = {
  ingest: {
    options: { sourceTime: 'ts', maxAgeSeconds: 120 },
    rules: [
      {
        name: 'room',
        properties: [
          { target: 'temperature', deadband: { absolute: 0.1 } },
          { target: 'humidity', deadband: { absolute: 0.5 } },
          { target: 'occupied' },
          { target: 'config' },
        ],
      },
    ],
  },
};

const at = (minute: number, second = 0): string =>
  `2024-06-01T11:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;

let world: IngestWorld;
let app: IngestApp;
let zeroConfig: IngestApp;
/** Each app is its own worker on partition 0: its batches continue that partition (no handover between them). */
const sequences = new Map<IngestApp, number>();

const send = (target: IngestApp, deviceId: string, body: Record<string, unknown>) => {
  const next = (sequences.get(target) ?? 1000) + 1;
  sequences.set(target, next);
  return target.invoke(events(next, [message(deviceId, body)]));
};
const patches = (twinId: string): number => world.emulator.counters().twinWrites[twinId]?.patch ?? 0;
const reads = (): number => world.emulator.counters().operations['twin.read']?.requests ?? 0;
const updatesOf = (twinId: string) =>
  world.notifications.filter((n) => n.type === 'Microsoft.DigitalTwins.Twin.Update' && n.subject === twinId);

beforeAll(async () => {
  world = await startWorld();
  for (const id of ['room-w', 'room-z']) await createRoom(world, id);
  app = await ingestApp(world, worked);
  zeroConfig = await ingestApp(world, { ingest: { options: { sourceTime: 'ts' } } });
});

afterAll(async () => {
  await world?.close();
});

it("follows CONFIGURATION.md's worked example: deadbands, equality, a maxAge heartbeat and the stale guard, with the PATCHes saved", async () => {
  await send(app, 'room-w', { temperature: 21, humidity: 40, occupied: false, config: { mode: 'eco', setpoint: 21 }, ts: at(50) });
  world.emulator.resetCounters();
  world.notifications.length = 0;

  // Within the deadbands, equal boolean, equal object in another key order: no request at all.
  const quiet = await send(app, 'room-w', {
    temperature: 21.05,
    humidity: 40.5,
    occupied: false,
    config: { setpoint: 21, mode: 'eco' },
    ts: at(51),
  });
  expect(quiet).toMatchObject({
    received: 1,
    applied: 0,
    filtered: 1,
    patches: 0,
    suppressedWrites: { 'within-deadband': 2, unchanged: 2 },
    heartbeatWrites: 0,
  });
  expect([patches('room-w'), reads()]).toEqual([0, 0]);
  expect(updatesOf('room-w')).toEqual([]);
  let w = await twin(world, 'room-w');
  expect([w.temperature, sourceTime(w, 'temperature'), w.humidity, sourceTime(w, 'humidity')]).toEqual([21, at(50), 40, at(50)]);

  // Exactly 120 s after the stored sourceTime: still suppressed; more than 120 s: written as a heartbeat.
  const notYet = await send(app, 'room-w', { temperature: 21, ts: at(52) });
  expect(notYet).toMatchObject({ patches: 0, suppressedWrites: { unchanged: 1 } });
  const beat = await send(app, 'room-w', { temperature: 21, ts: at(52, 5) });
  expect(beat).toMatchObject({ applied: 1, patches: 1, heartbeatWrites: 1, suppressedWrites: {} });
  // Beyond the band: written; then within 0.1 of the NEW stored value: filtered.
  const change = await send(app, 'room-w', { temperature: 21.12, ts: at(53) });
  expect(change).toMatchObject({ applied: 1, patches: 1, heartbeatWrites: 0 });
  const drift = await send(app, 'room-w', { temperature: 21.2, ts: at(54) });
  expect(drift).toMatchObject({ applied: 0, filtered: 1, patches: 0, suppressedWrites: { 'within-deadband': 1 } });
  // Out of order: stale, as before deadbands.
  const late = await send(app, 'room-w', { temperature: 30, ts: at(49) });
  expect(late).toMatchObject({ filtered: 1, staleValuesSkipped: 1, patches: 0 });

  expect(patches('room-w')).toBe(2);
  expect(updatesOf('room-w')).toHaveLength(2);
  w = await twin(world, 'room-w');
  expect([w.temperature, sourceTime(w, 'temperature'), w.humidity, sourceTime(w, 'humidity'), w.occupied, w.config]).toEqual([
    21.12,
    at(53),
    40,
    at(50),
    false,
    { mode: 'eco', setpoint: 21 },
  ]);
});

it('with zero configuration an equal value costs no write and is filtered as unchanged; a different one is written', async () => {
  await send(zeroConfig, 'room-z', { temperature: 19.5, occupied: true, ts: at(10) });
  world.emulator.resetCounters();
  world.notifications.length = 0;
  const same = await send(zeroConfig, 'room-z', { temperature: 19.5, occupied: true, ts: at(11) });
  expect(same).toMatchObject({ applied: 0, filtered: 1, patches: 0, suppressedWrites: { unchanged: 2 } });
  const moved = await send(zeroConfig, 'room-z', { temperature: 19.51, occupied: true, ts: at(12) });
  expect(moved).toMatchObject({ applied: 1, patches: 1, suppressedWrites: { unchanged: 1 } });
  expect(patches('room-z')).toBe(1);
  expect(updatesOf('room-z')).toHaveLength(1);
  const z = await twin(world, 'room-z');
  expect([z.temperature, sourceTime(z, 'temperature'), z.occupied, sourceTime(z, 'occupied')]).toEqual([19.51, at(12), true, at(10)]);
});
