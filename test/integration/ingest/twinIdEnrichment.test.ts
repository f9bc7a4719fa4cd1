// IoT Hub's twin id enrichment (infra: enrichTwinId) meets the ingest: application property twinId,
// read by the pairing in local/examples/twin-id-enrichment.yaml ({properties.twinId}, fallback
// {deviceId}). Telemetry and lifecycle events carrying it address the named twin; the literal IoT Hub
// stamps when the tag is missing ("$twin.tags.twinId") falls back to the device id; without a
// fallback it is twin-id-unresolved, never a twin of that name. Through the emulator and the real SDK.
import { join } from 'node:path';

import { roomModel, sensorModel } from '../../../bench/fixtures/testModels';
import { startEmulator } from '../../../local/emulator/server';
import { SdkAdtPort } from '../../../shared/adt/sdkPort';
import { loadPipelineConfigFile, parsePipelineConfig } from '../../../shared/config/load';
import { processBatch, type RawEvent } from '../../../shared/ingest';
import { createWorker } from '../../../shared/worker';
import { createTestClient } from '../../support/emulatorClient';
import { MemorySink } from '../../support/memorySink';

const example = join(__dirname, '..', '..', '..', 'local', 'examples', 'twin-id-enrichment.yaml');
const ROOM = roomModel['@id'];

const telemetry = (index: number, deviceId: string, enrichment: Record<string, string>, body: unknown): RawEvent => ({
  body: Buffer.from(JSON.stringify(body)),
  index,
  sequenceNumber: 100 + index,
  enqueuedTimeUtc: `2024-05-01T10:00:${String(index).padStart(2, '0')}`,
  systemProperties: { 'iothub-connection-device-id': deviceId, 'iothub-message-source': 'Telemetry' },
  properties: enrichment,
});

// A lifecycle event as routed (reference §1.4), with the enrichment IoT Hub stamps from the new device twin's tags.
const lifecycle = (index: number, deviceId: string, opType: string, enrichment: Record<string, string>, body: unknown): RawEvent => ({
  body: Buffer.from(JSON.stringify(body)),
  index,
  sequenceNumber: 100 + index,
  enqueuedTimeUtc: `2024-05-01T10:01:${String(index).padStart(2, '0')}`,
  systemProperties: {
    'iothub-connection-device-id': deviceId,
    'iothub-message-source': 'deviceLifecycleEvents',
    'content-type': 'application/json',
    'content-encoding': 'utf-8',
  },
  properties: {
    hubName: 'hub',
    deviceId,
    opType,
    'iothub-message-schema': 'deviceLifecycleNotification',
    operationTimestamp: '2024-05-01T10:01:00.000Z',
    ...enrichment,
  },
});

async function world(config: ReturnType<typeof parsePipelineConfig>) {
  const emulator = await startEmulator({});
  const client = createTestClient(emulator);
  await client.createModels([sensorModel, roomModel]);
  const sink = new MemorySink();
  const worker = createWorker({ env: {}, config, port: new SdkAdtPort(client), deadLetters: sink });
  const twin = async (id: string) => {
    try {
      return (await client.getDigitalTwin(id)).body as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  return {
    client,
    sink,
    twin,
    run: (events: RawEvent[]) => processBatch(events, worker.ingest),
    close: async () => {
      worker.close();
      await emulator.close();
    },
  };
}

describe('the twin id enrichment pairing (local/examples/twin-id-enrichment.yaml)', () => {
  it('telemetry goes to the twin the enrichment names; an unresolved or missing enrichment falls back to the device id', async () => {
    const w = await world(loadPipelineConfigFile(example));
    try {
      for (const id of ['room-101', 'dev-2', 'dev-3'])
        await w.client.upsertDigitalTwin(id, JSON.stringify({ $metadata: { $model: ROOM }, sensor: { $metadata: {} } }));
      const { summary } = await w.run([
        telemetry(1, 'dev-1', { twinId: 'room-101' }, { temperature: 21.5 }),
        // The tag is missing on dev-2's device twin: IoT Hub stamps the enrichment's own text.
        telemetry(2, 'dev-2', { twinId: '$twin.tags.twinId' }, { temperature: 22.5 }),
        telemetry(3, 'dev-3', {}, { temperature: 23.5 }),
      ]);
      expect(summary.deadLettered).toBe(0);
      expect(await w.twin('room-101')).toMatchObject({ temperature: 21.5 });
      expect(await w.twin('dev-1')).toBeUndefined();
      expect(await w.twin('dev-2')).toMatchObject({ temperature: 22.5 });
      expect(await w.twin('dev-3')).toMatchObject({ temperature: 23.5 });
      expect(await w.twin('$twin.tags.twinId')).toBeUndefined();
    } finally {
      await w.close();
    }
  });

  it('a device created with the tag (DPS initialTwin) gets its twin under the enriched id, and retiring the device removes it', async () => {
    const w = await world(loadPipelineConfigFile(example));
    try {
      const twinBody = { deviceId: 'probe-7', etag: 'AAAAAAAAAAE=', version: 2, modelId: ROOM, tags: { twinId: 'room-7' } };
      await w.run([lifecycle(1, 'probe-7', 'createDeviceIdentity', { twinId: 'room-7' }, twinBody)]);
      expect(await w.twin('room-7')).toMatchObject({ $metadata: { $model: ROOM } });
      expect(await w.twin('probe-7')).toBeUndefined();
      await w.run([lifecycle(2, 'probe-7', 'deleteDeviceIdentity', { twinId: 'room-7' }, twinBody)]);
      expect(await w.twin('room-7')).toBeUndefined();
    } finally {
      await w.close();
    }
  });

  it('without a fallback, an unresolved enrichment is dead-lettered twin-id-unresolved', async () => {
    const w = await world(parsePipelineConfig('ingest:\n  twinId: "{properties.twinId}"\n', 'pipeline.yaml'));
    try {
      const { summary } = await w.run([telemetry(1, 'dev-1', { twinId: '$twin.tags.twinId' }, { temperature: 21.5 })]);
      expect(summary.deadLettered).toBe(1);
      expect(w.sink.documents.map((d) => d.reason)).toEqual(['twin-id-unresolved']);
      expect(JSON.stringify(w.sink.documents[0])).toContain('{properties.twinId}');
    } finally {
      await w.close();
    }
  });
});

describe('ingest.twinId fallback', () => {
  it('goes with a template or a table; its problems are reported at .fallback; a query refuses it', () => {
    expect(() =>
      parsePipelineConfig('ingest:\n  twinId: { template: "{properties.twinId}", fallback: "{deviceId}" }\n', 'p.yaml'),
    ).not.toThrow();
    expect(() => parsePipelineConfig('ingest:\n  twinId: { template: "{properties.twinId}", fallback: "{nope}" }\n', 'p.yaml')).toThrow(
      /ingest\.twinId\.fallback: unknown template variable \{nope\}/,
    );
    expect(() =>
      parsePipelineConfig('ingest:\n  twinId: { query: "SELECT T FROM digitaltwins T", fallback: "{deviceId}" }\n', 'p.yaml'),
    ).toThrow(/ingest\.twinId\.fallback: only applies together with table or template/);
  });
});
