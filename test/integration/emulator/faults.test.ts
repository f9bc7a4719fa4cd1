// Injected faults as the SDK sees them: 503 + Retry-After is retried by its throttling policy, 500 by its
// exponential policy, and a reset connection never gets an answer.
import https from 'node:https';

import type { RestError } from '@azure/core-http';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createEmulatorClient, type TrustingHttpClient } from '../../../local/emulator/trust';
import { createRoom, roomModel } from './eventsFixture';

describe('emulator fault injection through the SDK', () => {
  let emulator: EmulatorHandle;
  let client: DigitalTwinsClient;
  let httpClient: TrustingHttpClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    // Short exponential retries so injected 500s cost milliseconds, not the SDK's default 30 s.
    ({ client, httpClient } = createEmulatorClient(emulator, {
      retryOptions: { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
    }));
    await client.createModels([roomModel]);
    await createRoom(client, 'room-1', 20);
    await createRoom(client, 'room-2', 20);
  });

  beforeEach(() => emulator.faults.reset());

  afterAll(async () => {
    httpClient.destroy();
    await emulator.close();
  });

  test('a twin failing twice with 503 + Retry-After is read on the third attempt', async () => {
    emulator.faults.update({ retryAfterOn503: 1, failTwins: { 'room-1': { status: 503, count: 2 } } });
    const twin = await client.getDigitalTwin('room-1');
    expect(twin.body.$dtId).toBe('room-1');
    expect(emulator.faults.counters()).toMatchObject({ requests: 3, twinFailures: 2 });
    await client.getDigitalTwin('room-2');
    expect(emulator.faults.counters()).toMatchObject({ requests: 4, twinFailures: 2 });
  });

  test('a persistent 500 surfaces as InternalServerError after the configured attempts', async () => {
    emulator.faults.update({ failTwins: { 'room-1': { status: 500, ops: ['twin.patch'] } } });
    const error = (await client
      .updateDigitalTwin('room-1', [{ op: 'replace', path: '/temperature', value: 99 }])
      .catch((e: unknown) => e)) as RestError;
    expect([error.statusCode, error.code]).toEqual([500, 'InternalServerError']);
    expect(emulator.faults.counters().twinFailures).toBe(3);
    expect((await client.getDigitalTwin('room-1')).body.temperature).toBe(20);
  });

  test('errorRate 1 answers every request with the configured status (503 without Retry-After: exponential retries)', async () => {
    emulator.faults.update({ errorRate: 1, errorStatuses: [503], seed: 1 });
    const error = (await client.getDigitalTwin('room-2').catch((e: unknown) => e)) as RestError;
    expect([error.statusCode, error.code]).toEqual([503, 'ServiceUnavailable']);
    expect(emulator.faults.counters().errors).toBe(3);
  });

  test('resetRate 1 destroys the connection without a response', async () => {
    emulator.faults.update({ resetRate: 1, seed: 5 });
    const outcome = await new Promise<string>((resolve) => {
      const req = https.request(
        `${emulator.url}/digitaltwins/room-1?api-version=2022-05-31`,
        { ca: emulator.ca, headers: { authorization: 'Bearer x' } },
        (res) => {
          resolve(`status ${res.statusCode}`);
          res.resume();
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });
    expect(outcome).toBe('ECONNRESET');
    expect(emulator.faults.counters().resets).toBe(1);
  });
});
