// Twin CRUD through the unmodified SDK: status codes, ETags, conditions, $metadata, validation.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createTestClient, rawRequest } from '../../support/emulatorClient';
import { createRoom, models, restError, ROOM, roomBody, SEVEN_DIGITS } from './fixtures';

let emulator: EmulatorHandle;
let client: DigitalTwinsClient;

beforeAll(async () => {
  emulator = await startEmulator();
  client = createTestClient(emulator);
  await client.createModels(models);
});
afterAll(async () => {
  await emulator.close();
});

describe('PUT /digitaltwins/{id}', () => {
  it('creates a twin, returns it with a weak etag and 7-digit timestamps', async () => {
    const response = await client.upsertDigitalTwin('room-1', JSON.stringify(roomBody({ name: 'Kitchen' })));
    const twin = response.body as Record<string, unknown> & {
      $metadata: Record<string, { lastUpdateTime: string }> & { $lastUpdateTime: string; $model: string };
    };
    expect(twin.$dtId).toBe('room-1');
    expect(response.etag).toMatch(/^W\/"[0-9a-f-]{36}"$/);
    expect(twin['$etag']).toBe(response.etag);
    expect(twin.$metadata.$model).toBe(ROOM);
    expect(twin.$metadata.$lastUpdateTime).toMatch(SEVEN_DIGITS);
    expect(twin.$metadata['temperature']?.lastUpdateTime).toMatch(SEVEN_DIGITS);
    expect(twin['thermostat']).toEqual({ $metadata: { $lastUpdateTime: twin.$metadata.$lastUpdateTime } });
    const got = await client.getDigitalTwin('room-1');
    expect(got.body).toEqual(twin);
    expect(got.etag).toBe(response.etag);
  });

  it('answers 200 with the exact body and JSON content type on the wire', async () => {
    const res = await rawRequest(emulator, 'PUT', '/digitaltwins/raw-1?api-version=2023-10-31', { body: roomBody() });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['etag']).toBe((res.json as { $etag: string }).$etag);
  });

  it('ignores the body $dtId: the path id wins', async () => {
    const twin = await createRoom(client, 'path-wins', { $dtId: 'other' });
    expect(twin['$dtId']).toBe('path-wins');
  });

  it('handles ids with spaces, slashes and non-ASCII (split before decoding)', async () => {
    const id = 't 1/ü';
    await createRoom(client, id);
    expect((await client.getDigitalTwin(id)).body).toMatchObject({ $dtId: id });
  });

  it('If-None-Match: * on an existing twin is 412 PreconditionFailed, never 409', async () => {
    await createRoom(client, 'exists-1');
    const error = await restError(client.upsertDigitalTwin('exists-1', JSON.stringify(roomBody()), { ifNoneMatch: '*' }));
    expect(error.statusCode).toBe(412);
    expect(error.code).toBe('PreconditionFailed');
    expect(error.message).toBe(
      'If-None-Match: * header was specified but a twin with the id exists-1 was found. Please specify a different twin id.',
    );
    const created = await client.upsertDigitalTwin('new-1', JSON.stringify(roomBody()), { ifNoneMatch: '*' });
    expect(created.body).toMatchObject({ $dtId: 'new-1' });
  });

  it('If-None-Match other than * is 400 InvalidArgument', async () => {
    const res = await rawRequest(emulator, 'PUT', '/digitaltwins/inm?api-version=2022-05-31', {
      body: roomBody(),
      headers: { 'if-none-match': 'XXX' },
    });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: { code: 'InvalidArgument', message: 'Invalid If-None-Match header value. Allowed value(s): If-None-Match: *' },
    });
  });

  it('an unknown model is 400 ValidationFailed with the ADT detail', async () => {
    const error = await restError(client.upsertDigitalTwin('bad-model', JSON.stringify({ $metadata: { $model: 'dtmi:test:Nope;1' } })));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('ValidationFailed');
    expect(error.message).toBe('Invalid twin specified');
    expect(error.details).toEqual({
      error: {
        code: 'ValidationFailed',
        message: 'Invalid twin specified',
        details: [{ code: 'ValidationFailed', message: 'dtmi:test:Nope;1 or one of its dependencies does not exist.' }],
      },
    });
  });

  it('a property of the wrong type is 400 ValidationFailed and nothing is stored', async () => {
    const error = await restError(client.upsertDigitalTwin('wrong-type', JSON.stringify(roomBody({ temperature: 'hot' }))));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('ValidationFailed');
    expect((await restError(client.getDigitalTwin('wrong-type'))).statusCode).toBe(404);
  });

  it('keeps sourceTime given in the request $metadata', async () => {
    const twin = await createRoom(client, 'src-time', {
      $metadata: { $model: ROOM, temperature: { sourceTime: '2022-05-31T12:00:01.000125009Z' } },
    });
    expect((twin['$metadata'] as Record<string, unknown>)['temperature']).toMatchObject({ sourceTime: '2022-05-31T12:00:01.000125009Z' });
  });
});

describe('GET and DELETE /digitaltwins/{id}', () => {
  it('a missing twin is 404 DigitalTwinNotFound with the ADT message', async () => {
    const error = await restError(client.getDigitalTwin('ghost'));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('DigitalTwinNotFound');
    expect(error.message).toBe(
      'There is no digital twin instance that exists with the ID ghost. Please verify that the twin id is valid and ensure that the twin is not deleted. See section on querying the twins https://aka.ms/adtv2query.',
    );
  });

  it('deletes with 204 honouring If-Match', async () => {
    const created = await client.upsertDigitalTwin('del-1', JSON.stringify(roomBody()));
    const stale = await restError(client.deleteDigitalTwin('del-1', { ifMatch: 'W/"00000000-0000-0000-0000-000000000000"' }));
    expect(stale.statusCode).toBe(412);
    expect(stale.code).toBe('PreconditionFailed');
    const bad = await rawRequest(emulator, 'DELETE', '/digitaltwins/del-1?api-version=2022-05-31', { headers: { 'if-match': 'XXX' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      error: { code: 'InvalidArgument', message: 'Invalid If-Match header value. Allowed value(s): If-Match: {etag} or If-Match: *' },
    });
    const res = await rawRequest(emulator, 'DELETE', '/digitaltwins/del-1?api-version=2022-05-31', {
      headers: { 'if-match': created.etag ?? '' },
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await restError(client.getDigitalTwin('del-1'))).code).toBe('DigitalTwinNotFound');
  });
});

describe('auth and routing', () => {
  it('rejects a request without a bearer token with 401 JSON', async () => {
    const res = await rawRequest(emulator, 'GET', '/digitaltwins/room-1?api-version=2022-05-31', { auth: false });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: { code: 'Unauthorized' } });
  });

  it('answers an unknown path with a 404 JSON error', async () => {
    const res = await rawRequest(emulator, 'GET', '/nothing-here');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'NotFound' } });
  });
});
