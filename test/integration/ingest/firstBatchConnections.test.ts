// How many TCP+TLS connections the first ingest batch opens to ADT, counted where the emulator accepts
// them (a TCP relay in front of it): every handshake costs CPU on both ends, so a batch must not open
// more than the gateway has requests in flight, and the next batch must reuse them all.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { deviceId, fleetImport } from '../../../bench/fleetTraffic';
import { createIngestHandler } from '../../../functions/ingestTelemetry';
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { stubCredential, TrustingHttpClient } from '../../../local/emulator/trust';
import { createWorker, type Worker } from '../../../shared/worker';

const twins = 30;
const maxConcurrency = 6;
let emulator: EmulatorHandle;
let relay: Server;
let accepted = 0;
const relayed = new Set<Socket>();
let directory: string;
let http: TrustingHttpClient;
let worker: Worker;

beforeAll(async () => {
  emulator = await startEmulator({ importNdjson: fleetImport(twins) });
  relay = createServer((socket) => {
    accepted += 1;
    const upstream = connect(emulator.port, '127.0.0.1');
    for (const end of [socket, upstream]) {
      relayed.add(end);
      end.on('close', () => relayed.delete(end));
    }
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  directory = mkdtempSync(join(tmpdir(), 'first-batch-'));
  const configPath = join(directory, 'pipeline.json');
  writeFileSync(configPath, JSON.stringify({ ingest: { options: { sourceTime: 'ts' } } }));
  const env = {
    ADT_SERVICE_URL: `https://127.0.0.1:${(relay.address() as AddressInfo).port}`,
    ADT_MAX_CONCURRENCY: String(maxConcurrency),
    DEAD_LETTER_DIRECTORY: join(directory, 'dead-letters'),
    PIPELINE_CONFIG_PATH: configPath,
  };
  http = new TrustingHttpClient(emulator.ca);
  worker = createWorker({ env, client: { credential: stubCredential, httpClient: http } });
}, 60_000);

afterAll(async () => {
  http.destroy();
  for (const socket of relayed) socket.destroy();
  await new Promise((resolve) => relay.close(resolve));
  await emulator.close();
  rmSync(directory, { recursive: true, force: true });
});

async function batch(round: number): Promise<void> {
  const now = new Date(Date.UTC(2030, 0, 1, 0, 0, round)).toISOString();
  const ids = Array.from({ length: twins }, (_, i) => deviceId(i));
  const handler = createIngestHandler(() => worker.ingest);
  const context = {
    triggerMetadata: {
      partitionContext: { partitionId: '0' },
      systemPropertiesArray: ids.map((id, i) => ({
        'iothub-connection-device-id': id,
        'message-id': `r${round}-${i}`,
        'content-type': 'application/json',
        'content-encoding': 'utf-8',
      })),
      enqueuedTimeUtcArray: ids.map(() => now.replace('Z', '')),
      sequenceNumberArray: ids.map((_, i) => round * twins + i + 1),
      offsetArray: ids.map((_, i) => String(round * twins + i)),
    },
    info: () => undefined,
  } as unknown as Parameters<typeof handler>[1];
  await handler(
    ids.map((_, i) => Buffer.from(JSON.stringify({ temperature: round * 100 + i, humidity: 40, ts: now }))),
    context,
  );
}

it('opens no more connections than requests in flight for the first batch, and none for the next', async () => {
  await batch(1);
  const reads = emulator.counters().operations;
  // Every twin was read (by one query: the first touch reads 50 twins to a query) and patched once,
  // through at most maxConcurrency (+ the model read) sockets.
  expect([reads.query?.requests, reads['twin.read']?.requests ?? 0]).toEqual([1, 0]);
  expect(reads['twin.patch']?.requests).toBe(twins);
  expect(accepted).toBeGreaterThan(0);
  expect(accepted).toBeLessThanOrEqual(maxConcurrency + 1);
  expect(http.connectionsOpened).toBe(accepted);

  const afterFirst = accepted;
  await batch(2);
  expect(emulator.counters().operations['twin.patch']?.requests).toBe(2 * twins);
  expect(accepted).toBe(afterFirst);
  expect(emulator.store.twins.get(deviceId(0))?.temperature).toBe(200);
}, 60_000);
