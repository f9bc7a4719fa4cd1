// The /$admin API, counters, payload limits and faults reached through the admin API.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createTestClient, rawRequest } from '../../support/emulatorClient';
import { createRoom, models, restError, roomBody } from './fixtures';

let emulator: EmulatorHandle;
let client: DigitalTwinsClient;

beforeAll(async () => {
  emulator = await startEmulator();
  client = createTestClient(emulator);
});
beforeEach(async () => {
  await rawRequest(emulator, 'POST', '/$admin/reset', { auth: false });
  await client.createModels(models);
});
afterAll(async () => {
  await emulator.close();
});

describe('counters', () => {
  it('counts requests, successes and errors per operation, and writes per twin', async () => {
    await rawRequest(emulator, 'POST', '/$admin/counters/reset', { auth: false });
    await createRoom(client, 'k1');
    await createRoom(client, 'k1');
    await client.updateDigitalTwin('k1', [{ op: 'replace', path: '/temperature', value: 2 }]);
    await restError(client.getDigitalTwin('missing'));
    await client.getDigitalTwin('k1');
    const counters = emulator.counters();
    expect(counters.operations['twin.create']).toEqual({ requests: 1, successes: 1, throttled: 0, errors: 0 });
    expect(counters.operations['twin.replace']).toEqual({ requests: 1, successes: 1, throttled: 0, errors: 0 });
    expect(counters.operations['twin.read']).toEqual({ requests: 2, successes: 1, throttled: 0, errors: 1 });
    expect(counters.twinWrites['k1']).toEqual({ create: 1, replace: 1, patch: 1, delete: 0 });
    const res = await rawRequest(emulator, 'GET', '/$admin/counters', { auth: false });
    expect(res.status).toBe(200);
    expect((res.json as { emulator: unknown }).emulator).toEqual(counters);
  });

  it('counts 429s as throttled, and admin calls are not counted', async () => {
    await rawRequest(emulator, 'PUT', '/$admin/limits', { auth: false, body: { perTwinWritesPerSecond: 1, retryAfter: 'none' } });
    await rawRequest(emulator, 'POST', '/$admin/counters/reset', { auth: false });
    await createRoom(client, 'k2');
    const error = await restError(client.updateDigitalTwin('k2', [{ op: 'replace', path: '/temperature', value: 2 }]));
    expect(error.statusCode).toBe(429);
    expect(emulator.counters().operations['twin.patch']).toEqual({ requests: 1, successes: 0, throttled: 1, errors: 0 });
    await rawRequest(emulator, 'GET', '/$admin/state', { auth: false });
    expect(Object.keys(emulator.counters().operations).sort()).toEqual(['twin.create', 'twin.patch']);
    await rawRequest(emulator, 'PUT', '/$admin/limits', { auth: false, body: { perTwinWritesPerSecond: 10, retryAfter: 'header' } });
  });
});

describe('admin API', () => {
  it('GET /$admin/state returns twins, relationships, models and routes; reset empties them', async () => {
    await createRoom(client, 'a1');
    const state = (await rawRequest(emulator, 'GET', '/$admin/state', { auth: false })).json as {
      twins: Array<{ $dtId: string }>;
      relationships: unknown[];
      models: { models: unknown[] };
      routes: unknown[];
    };
    expect(state.twins.map((t) => t.$dtId)).toEqual(['a1']);
    expect(state.relationships).toEqual([]);
    expect(state.models.models).toHaveLength(models.length);
    expect(state.routes).toEqual([]);
    const reset = await rawRequest(emulator, 'POST', '/$admin/reset', { auth: false });
    expect(reset.status).toBe(204);
    expect(emulator.store.twins.size).toBe(0);
    expect(emulator.models.list()).toEqual([]);
  });

  it('PUT /$admin/faults makes a twin fail, and the SDK sees the injected status', async () => {
    await createRoom(client, 'f1');
    const put = await rawRequest(emulator, 'PUT', '/$admin/faults', {
      auth: false,
      body: { failTwins: { f1: { status: 500, count: 5 } } },
    });
    expect(put.status).toBe(204);
    const error = await restError(client.getDigitalTwin('f1'));
    expect(error.statusCode).toBe(500);
    expect(emulator.counters().operations['twin.read']?.errors).toBeGreaterThanOrEqual(1);
    await rawRequest(emulator, 'POST', '/$admin/reset', { auth: false });
  });

  it('unknown admin paths and bad bodies are JSON errors', async () => {
    expect((await rawRequest(emulator, 'GET', '/$admin/nothing', { auth: false })).status).toBe(404);
    const bad = await rawRequest(emulator, 'PUT', '/$admin/limits', { auth: false, body: '[1]' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'InvalidArgument' } });
  });
});

describe('payload limits', () => {
  it('a request body over 32 KB is 413 PayloadTooLarge', async () => {
    const res = await rawRequest(emulator, 'PUT', '/digitaltwins/big?api-version=2022-05-31', {
      body: roomBody({ name: 'x'.repeat(40 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: { code: 'PayloadTooLarge' } });
  });

  it('a string value over 4 KB is rejected with 400 naming the path', async () => {
    const error = await restError(client.upsertDigitalTwin('long', JSON.stringify(roomBody({ name: 'x'.repeat(5000) }))));
    expect(error.statusCode).toBe(400);
    expect(JSON.stringify(error.details)).toContain('/name');
  });

  it('a twin that grows past 32 KB through patches is refused', async () => {
    const small = await startEmulator({ payload: { maxTwinBytes: 600 } });
    try {
      const smallClient = createTestClient(small);
      await smallClient.createModels(models);
      await createRoom(smallClient, 'grow', { name: 'a' });
      const error = await restError(smallClient.updateDigitalTwin('grow', [{ op: 'replace', path: '/name', value: 'y'.repeat(700) }]));
      expect(error.statusCode).toBe(400);
      expect(error.message).toContain('at most 600 bytes');
      expect(((await smallClient.getDigitalTwin('grow')).body as { name: string }).name).toBe('a');
    } finally {
      await small.close();
    }
  });
});

describe('SDK retry behaviour against emulator limits and faults', () => {
  it('a 429 with Retry-After is retried by the SDK and then succeeds', async () => {
    await rawRequest(emulator, 'PUT', '/$admin/limits', { auth: false, body: { perTwinWritesPerSecond: 1, retryAfter: 'header' } });
    await createRoom(client, 'retry-1');
    await rawRequest(emulator, 'POST', '/$admin/counters/reset', { auth: false });
    await client.updateDigitalTwin('retry-1', [{ op: 'replace', path: '/temperature', value: 7 }]);
    expect(emulator.counters().operations['twin.patch']).toEqual({ requests: 2, successes: 1, throttled: 1, errors: 0 });
    expect(((await client.getDigitalTwin('retry-1')).body as { temperature: number }).temperature).toBe(7);
    await rawRequest(emulator, 'PUT', '/$admin/limits', { auth: false, body: { perTwinWritesPerSecond: 10 } });
  });

  it('a dropped connection surfaces as a socket error after the SDK retries', async () => {
    await createRoom(client, 'drop-1');
    await rawRequest(emulator, 'PUT', '/$admin/faults', { auth: false, body: { resetRate: 1 } });
    await rawRequest(emulator, 'POST', '/$admin/counters/reset', { auth: false });
    try {
      const error = await restError(client.getDigitalTwin('drop-1'));
      expect(error.statusCode).toBeUndefined();
      expect(emulator.faults.counters().resets).toBeGreaterThanOrEqual(1);
      expect(emulator.counters().operations['twin.read']?.successes).toBe(0);
    } finally {
      await rawRequest(emulator, 'POST', '/$admin/reset', { auth: false });
    }
  });
});
