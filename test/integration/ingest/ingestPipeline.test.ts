// The ingest function end to end: host-shaped Event Hub batches through the Functions library into
// the registered handler, ADT writes on the emulator through the real SDK, dead letters in Azurite.

import { gzipSync } from 'node:zlib';

import type { PipelineConfigFile } from '../../../shared/config/types';
import {
  createRoom,
  events,
  type IngestApp,
  ingestApp,
  type IngestWorld,
  message,
  roomModel,
  sourceTime,
  startWorld,
  twin,
} from './harness';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

/** Model-driven mapping with the device's `ts` as source time; manual readings go through a range rule. */
const pipeline: PipelineConfigFile = {
  ingest: {
    options: { sourceTime: 'ts' },
    rules: [
      {
        name: 'manual-readings',
        match: { properties: { kind: 'manual' } },
        final: true,
        properties: [{ target: 'temperature', source: 't', range: { min: -40, max: 60 } }],
      },
    ],
  },
};

const at = (second: number): string => `2024-06-01T12:00:${String(second).padStart(2, '0')}.000Z`;

let world: IngestWorld;
let app: IngestApp;

beforeAll(async () => {
  world = await startWorld();
  for (const id of ['room-a', 'room-b', 'room-c', 'room-d', 'room-e', 'room-f']) await createRoom(world, id);
  app = await ingestApp(world, pipeline);
});

afterAll(async () => {
  await world?.close();
});

beforeEach(() => {
  world.emulator.resetCounters();
  world.notifications.length = 0;
});

it('writes the newest value per property with its device time, in one PATCH per twin per batch', async () => {
  // Deliberately not in time order: the newest temperature of room-a arrives in the middle.
  const batch = events(100, [
    message('room-a', { temperature: 20.5, ts: at(1) }),
    message('room-a', { temperature: 23.25, humidity: 40, ts: at(5) }),
    message('room-b', { temperature: 18, ts: at(2) }),
    message('room-a', { temperature: 21, ts: at(3) }),
    message('room-a', { humidity: 41.5, ts: at(4) }),
    message('room-b', { occupied: true, label: 'meeting', ts: at(6) }),
    message('room-b', { temperature: 18.75, ts: at(7) }),
    message('room-a', { temperature: 22, ts: at(2) }),
  ]);
  const summary = await app.invoke(batch);

  const a = await twin(world, 'room-a');
  expect([a.temperature, sourceTime(a, 'temperature'), a.humidity, sourceTime(a, 'humidity')]).toEqual([23.25, at(5), 40, at(5)]);
  const b = await twin(world, 'room-b');
  expect([b.temperature, sourceTime(b, 'temperature'), b.occupied, b.label, sourceTime(b, 'label')]).toEqual([
    18.75,
    at(7),
    true,
    'meeting',
    at(6),
  ]);

  const writes = world.emulator.counters().twinWrites;
  expect([writes['room-a'], writes['room-b']]).toEqual([
    { create: 0, replace: 0, patch: 1, delete: 0 },
    { create: 0, replace: 0, patch: 1, delete: 0 },
  ]);
  // temperature of room-a: 4 values → 1; humidity of room-a: 2 → 1; temperature of room-b: 2 → 1.
  expect(summary).toMatchObject({
    received: 8,
    applied: 8,
    filtered: 0,
    deadLettered: 0,
    twinsPatched: 2,
    patches: 2,
    messagesCoalesced: 5,
    staleValuesSkipped: 0,
  });
});

it('skips values older than what the twin stores when an older batch arrives after a newer one', async () => {
  await app.invoke(events(200, [message('room-c', { temperature: 25, humidity: 50, ts: at(30) })]));
  world.emulator.resetCounters();

  const late = await app.invoke(
    events(190, [
      message('room-c', { temperature: 19, ts: at(10) }),
      message('room-c', { humidity: 45, ts: at(11) }),
      message('room-c', { label: 'late but new', ts: at(12) }),
    ]),
  );

  const c = await twin(world, 'room-c');
  expect([c.temperature, sourceTime(c, 'temperature'), c.humidity, sourceTime(c, 'humidity'), c.label]).toEqual([
    25,
    at(30),
    50,
    at(30),
    'late but new',
  ]);
  expect(late).toMatchObject({ received: 3, applied: 1, filtered: 2, staleValuesSkipped: 2, patches: 1 });
  expect(world.emulator.counters().twinWrites['room-c']?.patch).toBe(1);
});

it('writes component properties and publishes twin and component telemetry with the device time', async () => {
  world.http.sent.length = 0;
  const summary = await app.invoke(
    events(300, [
      message('room-d', { co2: 455, sensor: { battery: 80, rssi: -61 }, ts: at(20) }, { messageId: 'msg-300' }),
      message('room-d', { battery: 79, rssi: -58, ts: at(21) }, { messageId: 'msg-301', systemProperties: { 'dt-subject': 'sensor' } }),
    ]),
  );

  const d = await twin(world, 'room-d');
  const sensor = d.sensor as { battery?: number; $metadata?: unknown };
  expect([sensor.battery, sourceTime(sensor, 'battery')]).toEqual([79, at(21)]);

  const telemetry = world.notifications.filter((n) => n.type === 'microsoft.iot.telemetry').map((n) => [n.id, n.subject, n.data]);
  // One message fans out to the twin and its component: distinct Message-Ids, so ADT keeps both.
  expect(telemetry.sort()).toEqual([
    ['msg-300', 'sensor', { rssi: -61 }],
    ['msg-300:1', undefined, { co2: 455 }],
    ['msg-301', 'sensor', { rssi: -58 }],
  ]);
  const wire = world.http.sent
    .filter((r) => r.method === 'POST' && r.path.endsWith('/telemetry'))
    .map((r) => [r.headers['message-id'], r.headers['telemetry-source-time']]);
  expect(wire.sort()).toEqual([
    ['msg-300', at(20)],
    ['msg-300:1', at(20)],
    ['msg-301', at(21)],
  ]);
  expect(summary).toMatchObject({ received: 2, applied: 2, telemetrySent: 3, deadLettered: 0 });
});

it('dead-letters only the invalid value, and the newest valid value wins over a newer invalid one', async () => {
  const summary = await app.invoke(
    events(400, [
      message('room-e', { temperature: 'hot', humidity: 44, ts: at(40) }),
      message('room-f', { temperature: 21, ts: at(41) }),
      message('room-f', { temperature: 22.5, ts: at(42) }),
      message('room-f', { temperature: 'warm', ts: at(43) }),
    ]),
  );

  const e = await twin(world, 'room-e');
  expect([e.temperature, e.humidity]).toEqual([undefined, 44]);
  const f = await twin(world, 'room-f');
  expect([f.temperature, sourceTime(f, 'temperature')]).toEqual([22.5, at(42)]);
  expect(summary).toMatchObject({
    received: 4,
    applied: 3,
    deadLettered: 1,
    deadLetteredByReason: { 'schema-mismatch': 1 },
    partiallyApplied: 1, // room-e: humidity applied, temperature refused
    deadLetterDocuments: 2, // room-e's (partly refused) and room-f's last message
    rejectedValuesByReason: { 'schema-mismatch': 2 },
    patches: 2,
  });

  const letters = (await app.deadLetters()).filter((l) => l.name.startsWith('0/40'));
  expect(letters.map((l) => [l.name, l.document.reason])).toEqual([
    ['0/400.json', 'schema-mismatch'],
    ['0/403.json', 'schema-mismatch'],
  ]);
  expect(letters[0]?.document.detail).toContain('/temperature: expected double but got string "hot"');
});

describe('unknown twins', () => {
  it('dead-letters messages for a twin that does not exist (policy dead-letter)', async () => {
    const summary = await app.invoke(events(500, [message('ghost-1', { temperature: 20, ts: at(50) }, { messageId: 'ghost-msg' })]));
    expect(summary).toMatchObject({ received: 1, deadLettered: 1, deadLetteredByReason: { 'unknown-twin': 1 }, twinsCreated: 0 });
    await expect(world.admin.getDigitalTwin('ghost-1')).rejects.toMatchObject({ statusCode: 404 });
    const letter = (await app.deadLetters()).find((l) => l.name === '0/500.json');
    expect(letter?.document).toMatchObject({ reason: 'unknown-twin', messageId: 'ghost-msg', deviceId: 'ghost-1' });
    expect(letter?.document.detail).toMatch(/ghost-1 does not exist in ADT/);
  });

  it('creates the twin from the model with the configured initial properties, then patches it (policy create)', async () => {
    const creating = await ingestApp(world, {
      ingest: {
        ...pipeline.ingest,
        unknownTwin: { action: 'create', modelId: roomModel['@id'], properties: { label: 'auto-created', sensor: { battery: 100 } } },
      },
    });
    const summary = await creating.invoke(events(600, [message('new-room', { temperature: 19.5, sensor: { battery: 97 }, ts: at(55) })]));

    const created = await twin(world, 'new-room');
    const sensor = created.sensor as { battery?: number };
    expect([created.$metadata.$model, created.label, created.temperature, sourceTime(created, 'temperature'), sensor.battery]).toEqual([
      roomModel['@id'],
      'auto-created',
      19.5,
      at(55),
      97,
    ]);
    expect(world.emulator.counters().twinWrites['new-room']).toEqual({ create: 1, replace: 0, patch: 1, delete: 0 });
    expect(summary).toMatchObject({ received: 1, applied: 1, twinsCreated: 1, patches: 1 });
  });
});

describe('ledger and dead-letter documents', () => {
  it('accounts for every message of a mixed batch and stores one document per rejected message', async () => {
    const summary = await app.invoke(
      events(700, [
        message('room-a', { humidity: 39, ts: at(59) }, { messageId: 'good' }),
        message('room-a', { t: 500, ts: at(59) }, { messageId: 'implausible', properties: { kind: 'manual' } }),
        message('room-a', undefined, {
          messageId: 'broken',
          bodyBase64: Buffer.from('{"temperature": 2', 'utf8').toString('base64'),
          properties: { source: 'lab' },
        }),
        message('ghost-2', { temperature: 1, ts: at(59) }, { messageId: 'ghost' }),
        message('room-b', { occupied: 'yes', ts: at(59) }, { messageId: 'bad-type' }),
      ]),
    );

    expect(summary).toMatchObject({
      received: 5,
      applied: 1,
      filtered: 1,
      deadLettered: 3,
      deadLetteredByReason: { 'invalid-json': 1, 'unknown-twin': 1, 'schema-mismatch': 1 },
    });
    expect(summary.applied + summary.filtered + summary.deadLettered).toBe(summary.received);

    const letters = (await app.deadLetters()).filter((l) => l.name.startsWith('0/70'));
    expect(letters.map((l) => [l.name, l.document.reason, l.document.messageId])).toEqual([
      ['0/702.json', 'invalid-json', 'broken'],
      ['0/703.json', 'unknown-twin', 'ghost'],
      ['0/704.json', 'schema-mismatch', 'bad-type'],
    ]);
    const broken = letters[0]?.document;
    expect(broken).toMatchObject({
      schema: 'adt-ingest-dead-letter/1',
      partitionId: '0',
      sequenceNumber: 702,
      offset: '70200',
      deviceId: 'room-a',
      enqueuedTime: '2024-06-01T12:00:00.000Z',
      body: { encoding: 'utf8', value: '{"temperature": 2' },
      properties: { source: 'lab' },
      // As delivered: the host's sequence numbers are Longs.
      systemProperties: {
        'iothub-connection-device-id': 'room-a',
        'message-id': 'broken',
        'x-opt-sequence-number': { low: 702, high: 0, unsigned: false },
      },
    });
    expect(broken?.detail).toEqual(expect.any(String));
    expect(Number.isNaN(Date.parse(broken?.deadLetteredAt ?? ''))).toBe(false);
    expect(letters[2]?.document.rejectedParts).toEqual([
      expect.objectContaining({ reason: 'schema-mismatch', detail: expect.stringContaining('/occupied: expected boolean') }),
    ]);
  });

  it('decodes gzip and UTF-16 bodies declared by content-encoding through the registered binary binding', async () => {
    const gzipped = gzipSync(Buffer.from(JSON.stringify({ temperature: 19.75, ts: at(59) }), 'utf8'));
    const utf16 = Buffer.from(JSON.stringify({ temperature: 24.5, ts: at(59) }), 'utf16le');
    const summary = await app.invoke(
      events(900, [
        message('room-e', undefined, {
          bodyBase64: gzipped.toString('base64'),
          systemProperties: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        }),
        message('room-f', undefined, {
          bodyBase64: utf16.toString('base64'),
          systemProperties: { 'content-type': 'application/json', 'content-encoding': 'utf-16' },
        }),
      ]),
    );
    expect(summary).toMatchObject({ received: 2, deadLettered: 0 });
    expect((await twin(world, 'room-e')).temperature).toBe(19.75);
    expect((await twin(world, 'room-f')).temperature).toBe(24.5);
  });

  it('keeps a binary body as base64 in its dead letter', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x9c, 0x01]);
    const summary = await app.invoke(events(800, [message('room-a', undefined, { bodyBase64: bytes.toString('base64') })]), {
      dataType: 'binary',
    });
    expect(summary).toMatchObject({ received: 1, deadLettered: 1 });
    const letter = (await app.deadLetters()).find((l) => l.name === '0/800.json');
    expect(letter?.document.body).toEqual({ encoding: 'base64', value: bytes.toString('base64') });
  });
});
