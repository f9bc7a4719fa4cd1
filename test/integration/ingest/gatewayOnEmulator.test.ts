// The gateway through the real SDK (1.1.0) against the ADT emulator: what actually goes over the wire.

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { stubCredential, TrustingHttpClient } from '../../../local/emulator/trust';
import type { Notification } from '../../../local/emulator/types';
import { AdtGateway, type CallContext } from '../../../shared/adt/gateway';
import { emptyCallStats } from '../../../shared/adt/retry';
import { createAdtClient } from '../../../shared/adt/sdkClient';
import { SdkAdtPort } from '../../../shared/adt/sdkPort';
import { writeTwinUpdate } from '../../../shared/ingest/write/twinWriter';
import { createTestClient } from '../../support/emulatorClient';
import { roomModel, sensorModel } from '../../unit/adt/fakes';

let emulator: EmulatorHandle;
import type { HttpOperationResponse, WebResourceLike } from '@azure/core-http';

/** Records each request exactly as the SDK pipeline hands it to the socket layer. */
class RecordingHttpClient extends TrustingHttpClient {
  readonly sent: Array<{ method: string; url: string; headers: Record<string, string>; body: unknown }> = [];
  override sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    this.sent.push({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers.headersArray().map((h) => [h.name.toLowerCase(), h.value])),
      body: request.body,
    });
    return super.sendRequest(request);
  }
}

let http: RecordingHttpClient;
let gateway: AdtGateway;
const notifications: Notification[] = [];
const ctx = (): CallContext => ({ deadline: Date.now() + 30_000, stats: emptyCallStats() });

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.events.tap((n) => notifications.push(n));
  const admin = createTestClient(emulator);
  await admin.createModels([sensorModel, roomModel]);
  await admin.upsertDigitalTwin('room-1', JSON.stringify({ $metadata: { $model: 'dtmi:test:Room;1' }, sensor: { $metadata: {} } }));
  http = new RecordingHttpClient(emulator.ca);
  gateway = new AdtGateway({
    port: new SdkAdtPort(createAdtClient({ url: emulator.url, credential: stubCredential, httpClient: http })),
    retryPolicy: { baseDelayMs: 5, maxDelayMs: 20 },
  });
});

afterAll(async () => {
  http.destroy();
  await emulator.close();
});

it('stores exact values and sourceTimes with one PATCH per twin', async () => {
  emulator.resetCounters();
  const result = await writeTwinUpdate(
    {
      twinId: 'room-1',
      ifMissing: { policy: 'deadLetter' },
      updates: [
        {
          twinId: 'room-1',
          property: 'temperature',
          value: 22.25,
          sourceTime: '2024-05-01T10:00:00.1234567Z',
          eventKeys: ['a'],
          rule: 'r',
        },
        {
          twinId: 'room-1',
          component: 'sensor',
          property: 'battery',
          value: 77,
          sourceTime: '2024-05-01T10:00:01Z',
          eventKeys: ['b'],
          rule: 'r',
        },
      ],
    },
    gateway,
    ctx(),
    { emitSourceTime: true, maxClockSkewMs: 300_000, now: Date.now },
  );
  expect(result.rejected).toEqual([]);
  const twin = (await createTestClient(emulator).getDigitalTwin('room-1')).body as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  expect(twin.temperature).toBe(22.25);
  expect(twin.$metadata.temperature.sourceTime).toBe('2024-05-01T10:00:00.1234567Z');
  expect(twin.sensor.battery).toBe(77);
  expect(twin.sensor.$metadata.battery.sourceTime).toBe('2024-05-01T10:00:01Z');
  expect(emulator.counters().twinWrites['room-1']).toBeDefined();
  expect(emulator.counters().operations['twin.patch']?.requests).toBe(1);
});

it('sends twin and component telemetry with the device time and a deterministic message id', async () => {
  notifications.length = 0;
  await gateway.publishTelemetry(
    { twinId: 'room-1', payload: { co2: 450 }, messageId: '0-101', sourceTime: '2024-05-01T09:59:59.5Z' },
    ctx(),
  );
  await gateway.publishTelemetry(
    { twinId: 'room-1', component: 'sensor', payload: { rssi: -60 }, messageId: '0-102', sourceTime: '2024-05-01T09:59:58Z' },
    ctx(),
  );
  const telemetry = notifications.filter((n) => n.type === 'microsoft.iot.telemetry');
  expect(telemetry.map((n) => [n.id, n.subject, n.data])).toEqual([
    ['0-101', undefined, { co2: 450 }],
    ['0-102', 'sensor', { rssi: -60 }],
  ]);
  const posts = http.sent.filter((r) => r.method === 'POST' && r.url.includes('/telemetry'));
  expect(posts.map((r) => [new URL(r.url).pathname, r.headers['message-id'], r.headers['telemetry-source-time'], r.body])).toEqual([
    ['/digitaltwins/room-1/telemetry', '0-101', '2024-05-01T09:59:59.5Z', '{"co2":450}'],
    ['/digitaltwins/room-1/components/sensor/telemetry', '0-102', '2024-05-01T09:59:58Z', '{"rssi":-60}'],
  ]);
});

it('forwards the message traceparent to ADT', async () => {
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  await gateway.getTwin('room-1', { ...ctx(), traceparent });
  expect(http.sent.at(-1)?.headers.traceparent).toBe(traceparent);
});

it('rides out injected 503s with its own retries', async () => {
  emulator.faults.update({ failTwins: { 'room-1': { status: 503, count: 2, ops: ['twin.patch'] } } });
  const call = ctx();
  await gateway.updateTwin('room-1', [{ op: 'add', path: '/occupied', value: true }], call);
  emulator.faults.reset();
  expect(call.stats.retries).toBe(2);
  const twin = (await createTestClient(emulator).getDigitalTwin('room-1')).body as { occupied?: boolean };
  expect(twin.occupied).toBe(true);
});

describe('per-request timeout', () => {
  const port = () => new SdkAdtPort(createAdtClient({ url: emulator.url, credential: stubCredential, httpClient: http }));
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

  afterEach(() => emulator.faults.reset());

  it('aborts a response slower than the timeout as a retryable timeout', async () => {
    emulator.faults.update({ latencyMs: 400 });
    const error = await port()
      .getTwin('room-1', { timeoutMs: 50 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AdtRequestError', code: 'AbortError', status: undefined });
  });

  it('leaves no timer behind once a call has answered', async () => {
    const adt = port();
    await adt.getTwin('room-1', { timeoutMs: 60_000 }); // warm up the token and agent
    const before = timers();
    for (let i = 0; i < 5; i++) await adt.getTwin('room-1', { timeoutMs: 60_000 });
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
