// Throttling as the SDK (core-http 2.3.2) experiences it: 429 + Retry-After is retried 3 times, a 429
// without Retry-After is not retried at all (Azure/azure-sdk-for-js#25647).
import type { RestError } from '@azure/core-http';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createEmulatorClient, type TrustingHttpClient } from '../../../local/emulator/trust';
import { createRoom, roomModel } from './eventsFixture';

describe('emulator service limits through the SDK', () => {
  let clock = 0;
  let emulator: EmulatorHandle;
  let client: DigitalTwinsClient;
  let httpClient: TrustingHttpClient;

  beforeAll(async () => {
    emulator = await startEmulator({ limits: { now: () => clock } });
    ({ client, httpClient } = createEmulatorClient(emulator));
  });

  beforeEach(async () => {
    await emulator.reset();
    emulator.limits.update({ enabled: true, retryAfter: 'header', perTwinWritesPerSecond: 10, queriesPerSecond: 500, now: () => clock });
    clock = 0;
    await client.createModels([roomModel]);
    await createRoom(client, 'room-1');
    emulator.limits.reset();
  });

  afterAll(async () => {
    httpClient.destroy();
    await emulator.close();
  });

  const patch = (value: number) => client.updateDigitalTwin('room-1', [{ op: 'replace', path: '/temperature', value }]);

  test('429 with Retry-After: the SDK sends 4 attempts, then surfaces the 429', async () => {
    emulator.limits.update({ perTwinWritesPerSecond: 1 });
    await patch(21);
    // The clock stands still 0.9 s later: every retry is throttled; 0.1 s left is announced as 1 (whole seconds).
    clock = 900;
    const error = (await patch(22).catch((e: unknown) => e)) as RestError;
    expect(error.statusCode).toBe(429);
    expect(error.code).toBe('TooManyRequests');
    expect(error.response?.headers.get('retry-after')).toBe('1');
    expect(emulator.limits.counters()['twin.patch']).toEqual({ allowed: 1, throttled: 4 });
    expect((await client.getDigitalTwin('room-1')).body.temperature).toBe(21);
  });

  test('429 with Retry-After: the SDK retry succeeds once a slot frees', async () => {
    emulator.limits.update({ perTwinWritesPerSecond: 1, now: () => Date.now() });
    await patch(21);
    await patch(22);
    expect(emulator.limits.counters()['twin.patch']).toEqual({ allowed: 2, throttled: 1 });
    expect((await client.getDigitalTwin('room-1')).body.temperature).toBe(22);
  });

  test('429 without Retry-After fails on the first attempt', async () => {
    emulator.limits.update({ perTwinWritesPerSecond: 1, retryAfter: 'none' });
    await patch(21);
    const error = (await patch(22).catch((e: unknown) => e)) as RestError;
    expect(error.statusCode).toBe(429);
    expect(error.response?.headers.get('retry-after')).toBeUndefined();
    expect(emulator.limits.counters()['twin.patch']).toEqual({ allowed: 1, throttled: 1 });
  });

  test('25 patches to one twin within a second: 10 applied, 15 throttled', async () => {
    emulator.limits.update({ retryAfter: 'none' });
    const outcomes: Array<number | 'ok'> = [];
    for (let i = 0; i < 25; i++) {
      clock = i * 20;
      outcomes.push(
        await patch(i).then(
          () => 'ok' as const,
          (e: RestError) => e.statusCode ?? 0,
        ),
      );
    }
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 429)).toHaveLength(15);
    expect((await client.getDigitalTwin('room-1')).body.temperature).toBe(9);
  });

  test('a throttled query reports QuotaReachedError', async () => {
    emulator.limits.update({ queriesPerSecond: 1, retryAfter: 'none' });
    const first = [];
    for await (const row of client.queryTwins('SELECT * FROM DIGITALTWINS')) first.push(row);
    expect(first).toHaveLength(1);
    const error = (await client
      .queryTwins('SELECT * FROM DIGITALTWINS')
      .next()
      .catch((e: unknown) => e)) as RestError;
    expect([error.statusCode, error.code]).toEqual([429, 'QuotaReachedError']);
  });
});
