// IoT Hub's notifications through the local loop, shaped as the reference documents them: connection
// state events set each twin's connectionState in IoT Hub's sequenceNumber order (not arrival order,
// not operationTimestamp), redelivered and reordered events included, and roll up to the room;
// reported properties arrive from a device twin change and a Plug and Play digital twin change (JSON
// Patch); a desired-only change and a kind the configuration does not handle are filtered, never
// mapped as telemetry; lifecycle events create a twin with the model its device twin names and
// retire one after its relationships, redelivered and repeated ones filtered.
import { appendFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { repoRoot, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const scenario = join(repoRoot, 'local', 'scenarios', 'connected-devices');
const twin = (dump: { twins: Array<Record<string, unknown>> }, id: string) => dump.twins.find((t) => t.$dtId === id) ?? {};
const sequence = (n: number) => `000000000000000001D8713FF7E08514000000020000000000000000${n.toString(16).toUpperCase().padStart(8, '0')}`;

const finalState = (dump: { twins: Array<Record<string, unknown>>; relationships: Array<Record<string, unknown>> }) => {
  // sensor-1 was retired: the twin and its relationship are gone, and the room rolled up without it.
  expect(dump.twins.map((t) => t.$dtId).sort()).toEqual(['room-1', 'sensor-2', 'sensor-3', 'sensor-5']);
  // sensor-5 had no twin; its telemetry named a model ADT has (dt-dataschema): created, then applied.
  expect(twin(dump, 'sensor-5')).toMatchObject({ $metadata: { $model: 'dtmi:example:connected:Sensor;1' }, temperature: 19.5 });
  expect(dump.relationships.map((r) => `${r.$sourceId}->${r.$targetId}`)).toEqual(['room-1->sensor-2']);
  expect(twin(dump, 'sensor-2')).toMatchObject({
    connectionState: 'Disconnected',
    connectionStateSequence: sequence(5),
    temperature: 24.5,
  });
  // sensor-3 was provisioned with the model its device twin names, then connected.
  expect(twin(dump, 'sensor-3')).toMatchObject({
    $metadata: { $model: 'dtmi:example:connected:Sensor;1' },
    connectionState: 'Connected',
    connectionStateSequence: sequence(0xa0),
  });
  expect(twin(dump, 'room-1')).toMatchObject({ connectedDevices: 0, temperature: 24.5 });
};

it('connection state by sequence number, reported properties, twins provisioned and retired, all rolled up', async () => {
  const { summary, dump } = await runLocal({ scenario });
  expect(summary.exitCode).toBe(0);
  expect(summary.stats.messagesIn).toBe(19);
  expect(summary.stats.deadLettered).toBe(0);
  finalState(dump);
  // A desired-only change, a repeated create, a create without a model and a repeated delete: filtered.
  expect(summary.stats.filteredByReason).toMatchObject({
    'no-reported-change': 1,
    'twin-exists': 1,
    'no-model-for-device': 1,
    'twin-already-gone': 1,
  });
  expect(summary.stats.receivedBySource).toEqual({
    telemetry: 3,
    deviceConnectionStateEvents: 8,
    twinChangeEvents: 2,
    digitalTwinChangeEvents: 1,
    deviceLifecycleEvents: 5,
  });
}, 120_000);

it('ends the same one event per batch, with batches redelivered through an ADT outage', async () => {
  // One event per batch: the twin's stored sequence number decides, not coalescing. ADT is away for
  // the first 1.5 s and the ingest deadline is 1 s, so the first batches fail and come again whole.
  const { summary, dump } = await runLocal({
    scenario,
    maxBatchSize: 1,
    adtOutages: [{ startMs: 0, durationMs: 1500 }],
    ingestDeadlineSeconds: 1,
    maxRetryDelayMs: 500,
  });
  expect(summary.exitCode).toBe(0);
  expect(summary.stats.ingestFailures).toBeGreaterThan(0);
  expect(summary.lostBatches).toEqual([]);
  expect(summary.stats.deadLettered).toBe(0);
  finalState(dump);
  // The older and the repeated sequence numbers were skipped against the twin (a redelivered event
  // that had reached ADT before its batch failed would be one more).
  expect(summary.stats.filteredByReason['stale-source-time']).toBeGreaterThanOrEqual(2);
  expect(summary.stats.filteredByReason).toMatchObject({ 'twin-exists': 1, 'no-model-for-device': 1, 'twin-already-gone': 1 });
}, 180_000);

it('configured lifecycle: a model by device id pattern, initial properties from tags, a parent from a tag whose roll-ups follow', async () => {
  const configured = tempDir('configured-devices');
  cpSync(scenario, configured, { recursive: true });
  appendFileSync(
    join(configured, 'pipeline.yaml'),
    `ingest:
  lifecycle:
    models:
      - { deviceId: "probe-*", modelId: "dtmi:example:connected:Sensor;1" }
    initialProperties:
      temperature: tags.calibration
    parent: { twinId: "{body.tags.roomId}", relationship: hasDevice }
`,
  );
  const created = (deviceId: string, tags: Record<string, unknown>, at: string) => ({
    deviceId,
    enqueuedTime: at,
    messageId: `${deviceId}-created`,
    properties: {
      hubName: 'hub',
      deviceId,
      opType: 'createDeviceIdentity',
      'iothub-message-schema': 'deviceLifecycleNotification',
      operationTimestamp: at,
    },
    systemProperties: { 'iothub-message-source': 'deviceLifecycleEvents', 'content-type': 'application/json', 'content-encoding': 'utf-8' },
    body: { deviceId, etag: 'AAAAAAAAAAE=', version: 2, tags },
  });
  const connected = (deviceId: string, at: string) => ({
    deviceId,
    enqueuedTime: at,
    messageId: `${deviceId}-connected`,
    properties: { hubName: 'hub', deviceId, opType: 'deviceConnected', operationTimestamp: at },
    systemProperties: {
      'iothub-message-source': 'deviceConnectionStateEvents',
      'content-type': 'application/json',
      'content-encoding': 'utf-8',
    },
    body: { sequenceNumber: 'F0' },
  });
  const lines = [
    created('probe-1', { roomId: 'room-1', calibration: 30 }, '2024-05-01T08:03:00.000Z'),
    created('probe-1', { roomId: 'room-1', calibration: 30 }, '2024-05-01T08:03:00.500Z'),
    connected('probe-1', '2024-05-01T08:03:01.000Z'),
  ];
  const telemetry = join(configured, 'probe.ndjson');
  writeFileSync(
    telemetry,
    `${readFileSync(join(scenario, 'telemetry.ndjson'), 'utf8')}${lines.map((l) => JSON.stringify(l)).join('\n')}\n`,
  );
  const { summary, dump } = await runLocal({ scenario: configured, telemetry });
  expect(summary.exitCode).toBe(0);
  // sensor-3's device twin has no roomId tag: created without a parent, its repeated create dead-lettered for it.
  expect(summary.stats.deadLetteredByReason).toEqual({ 'twin-id-unresolved': 1 });
  expect(summary.stats.partiallyApplied).toBe(1);
  expect(twin(dump, 'probe-1')).toMatchObject({
    $metadata: { $model: 'dtmi:example:connected:Sensor;1' },
    temperature: 30,
    connectionState: 'Connected',
  });
  expect(dump.relationships.map((r) => `${r.$sourceId}->${r.$targetId}`).sort()).toEqual(['room-1->probe-1', 'room-1->sensor-2']);
  // The room now counts probe-1: connected, and its initial temperature joins the average.
  expect(twin(dump, 'room-1')).toMatchObject({ connectedDevices: 1, temperature: (24.5 + 30) / 2 });
}, 120_000);
