// The /models and /query endpoints as the SDK sees them (status codes, shapes, paging, headers).
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createTestClient, rawRequest } from '../../support/emulatorClient';
import { createRoom, FLOOR, models, restError, ROOM, ROOM_V2, THERMOSTAT } from './fixtures';

let emulator: EmulatorHandle;
let client: DigitalTwinsClient;

beforeAll(async () => {
  emulator = await startEmulator({ limits: { perTwinWritesPerSecond: 1000 } });
  client = createTestClient(emulator);
});
afterAll(async () => {
  await emulator.close();
});

describe('/models', () => {
  it('POST is 201 with model data; a duplicate is 409 ModelIdAlreadyExists', async () => {
    const created = await client.createModels(models);
    expect(created.map((m) => m.id)).toEqual(models.map((m) => m['@id']));
    expect(created[0]).toMatchObject({ displayName: { en: 'Thermostat' }, decommissioned: false });
    const raw = await rawRequest(emulator, 'POST', '/models?api-version=2022-05-31', { body: [models[0]] });
    expect(raw.status).toBe(409);
    expect(raw.json).toMatchObject({ error: { code: 'ModelIdAlreadyExists' } });
  });

  it('GET /models with dependenciesFor as one comma-separated parameter (SDK 1.1.0)', async () => {
    const ids: string[] = [];
    for await (const model of client.listModels([ROOM], true)) ids.push(model.id);
    expect(ids.sort()).toEqual([ROOM, THERMOSTAT].sort());
    const page = await rawRequest(
      emulator,
      'GET',
      `/models?api-version=2022-05-31&dependenciesFor=${encodeURIComponent(`${ROOM},${FLOOR}`)}`,
    );
    expect((page.json as { nextLink: unknown }).nextLink).toBeNull();
  });

  it('getModel includes the definition only when asked', async () => {
    expect((await client.getModel(ROOM)).model).toBeUndefined();
    expect((await client.getModel(ROOM, true)).model).toMatchObject({ '@id': ROOM });
  });

  it('decommission is 204 (twice); new twins of a decommissioned model are 400 ModelDecommissioned', async () => {
    await client.decomissionModel(ROOM_V2);
    await client.decomissionModel(ROOM_V2);
    expect((await client.getModel(ROOM_V2)).decommissioned).toBe(true);
    const error = await restError(
      client.upsertDigitalTwin('v2', JSON.stringify({ $metadata: { $model: ROOM_V2 }, thermostat: { $metadata: {} } })),
    );
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('ModelDecommissioned');
  });

  it('DELETE is 204, or 409 while another model references it', async () => {
    const referenced = await restError(client.deleteModel(THERMOSTAT));
    expect(referenced.statusCode).toBe(409);
    expect(referenced.code).toBe('ModelReferencesNotDeleted');
    await client.deleteModel(ROOM_V2);
    expect((await restError(client.getModel(ROOM_V2))).code).toBe('ModelNotFound');
  });
});

describe('/query', () => {
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) await createRoom(client, `q-${i}`, { temperature: i });
  });

  it('pages with continuation tokens (max-items-per-page) and sends query-charge on every page', async () => {
    const pages: Array<{ value?: unknown[]; continuationToken?: string; queryCharge?: number }> = [];
    for await (const page of client.queryTwins(`SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('${ROOM}') AND temperature >= 1`, 2).byPage())
      pages.push(page);
    expect(pages.map((p) => p.value?.length)).toEqual([2, 2]);
    expect(pages.every((p) => typeof p.queryCharge === 'number')).toBe(true);
    const raw = await rawRequest(emulator, 'POST', '/query?api-version=2022-05-31', {
      body: { query: 'SELECT COUNT() FROM DIGITALTWINS' },
    });
    expect(raw.status).toBe(200);
    expect(raw.json).toEqual({ value: [{ COUNT: 5 }], continuationToken: null });
    expect(raw.headers['query-charge']).toBeDefined();
  });

  it('a parse error is 400 SqlQueryError', async () => {
    const raw = await rawRequest(emulator, 'POST', '/query?api-version=2022-05-31', { body: { query: 'foo' } });
    expect(raw.status).toBe(400);
    expect(raw.json).toMatchObject({ error: { code: 'SqlQueryError' } });
  });
});
