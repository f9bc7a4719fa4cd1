// Two writers on one twin (two workers: separate gateways and twin caches, one emulator, each on a
// partition of its own, as two devices mapped to one twin or another client would be), late values
// interleaved: ingest PATCHes carry If-Match, so a writer with a stale copy gets 412, re-reads and
// re-applies the out-of-order guard. The twin always ends on the newest value per property. (One
// partition moving between workers is partitionHandover.test.ts.)
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createEmulatorClient, stubCredential, TrustingHttpClient } from '../../../local/emulator/trust';
import { createAdtClient, SdkAdtPort } from '../../../shared/adt';
import { compilePipelineConfig } from '../../../shared/config';
import { processBatch, type RawEvent } from '../../../shared/ingest';
import { createWorker } from '../../../shared/worker';
import { MemorySink } from '../../support/memorySink';
import { roomModel, sensorModel } from './harness';

let emulator: EmulatorHandle;
const transports: TrustingHttpClient[] = [];

const at = (second: number) => `2024-07-01T08:00:${String(second).padStart(2, '0')}.000Z`;
const event = (body: Record<string, unknown>, sequenceNumber: number): RawEvent => ({
  body: Buffer.from(JSON.stringify(body)),
  index: 0,
  sequenceNumber,
  enqueuedTimeUtc: '2024-07-01T08:01:00.000',
  systemProperties: { 'iothub-connection-device-id': 'room-1' },
  properties: {},
});

let partitions = 0;

function writer() {
  const partitionId = String(partitions++);
  let sequence = 0;
  const http = new TrustingHttpClient(emulator.ca);
  transports.push(http);
  const w = createWorker({
    env: {},
    config: compilePipelineConfig({ ingest: { options: { sourceTime: 'ts' } } }, 'two-writers'),
    port: new SdkAdtPort(createAdtClient({ url: emulator.url, credential: stubCredential, httpClient: http })),
    deadLetters: new MemorySink(),
  });
  return (body: Record<string, unknown>) => processBatch([event(body, ++sequence)], { ...w.ingest, partitionId });
}

beforeAll(async () => {
  emulator = await startEmulator();
  const { client, httpClient } = createEmulatorClient(emulator);
  await client.createModels([sensorModel, roomModel]);
  await client.upsertDigitalTwin('room-1', JSON.stringify({ $metadata: { $model: roomModel['@id'] }, sensor: { $metadata: {} } }));
  httpClient.destroy();
});

afterAll(async () => {
  for (const t of transports) t.destroy();
  await emulator.close();
});

it('never lets a writer with a stale copy overwrite a newer value, and costs no extra call with one writer', async () => {
  const a = writer();
  const b = writer();
  // Both learn the twin (one GET each) with an early value.
  await a({ temperature: 1, humidity: 1, ts: at(1) });
  await b({ humidity: 2, ts: at(2) });
  // A writes a newer temperature; B's copy still says temperature was set at 00:01.
  await a({ temperature: 10, ts: at(10) });
  emulator.resetCounters();
  const late = await b({ temperature: 5, humidity: 6, ts: at(5) });
  const ops = emulator.counters().operations;
  const twin = (await createEmulatorClient(emulator).client.getDigitalTwin('room-1')).body as Record<string, unknown>;
  expect(twin.temperature).toBe(10);
  expect(twin.humidity).toBe(6);
  expect(late.summary.staleValuesSkipped).toBe(1);
  // One 412, one re-read, one successful patch of what is still newer.
  expect(ops['twin.patch']).toMatchObject({ requests: 2, successes: 1 });
  expect(ops['twin.read']?.requests).toBe(1);

  // A single writer pays exactly one PATCH per batch: its own writes keep its ETag current.
  emulator.resetCounters();
  await b({ temperature: 11, ts: at(11) });
  await b({ temperature: 12, ts: at(12) });
  expect(emulator.counters().operations['twin.patch']).toMatchObject({ requests: 2, successes: 2 });
  expect(emulator.counters().operations['twin.read']).toBeUndefined();
});

it('interleaves many late values from two writers and ends on the newest per property', async () => {
  const a = writer();
  const b = writer();
  const order = [7, 3, 9, 1, 12, 5, 11, 2, 8, 4, 10, 6].map((s) => s + 20);
  for (const [i, second] of order.entries()) await (i % 2 === 0 ? a : b)({ temperature: second, ts: at(second) });
  const twin = (await createEmulatorClient(emulator).client.getDigitalTwin('room-1')).body as Record<string, unknown>;
  expect(twin.temperature).toBe(32);
});
