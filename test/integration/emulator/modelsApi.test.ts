// /models through the official SDK (DigitalTwinsClient 1.1.0) against the emulator over HTTPS.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createEmulatorClient, type TrustingHttpClient } from '../../../local/emulator/trust';
import { allModels, building, deviceInfo, meeting, room, space, thermostat } from '../../unit/dtdl/fixtures';

interface RestErrorLike {
  statusCode?: number;
  code?: string;
  message: string;
}

async function restErrorOf(action: () => Promise<unknown>): Promise<RestErrorLike> {
  try {
    await action();
  } catch (error) {
    return error as RestErrorLike;
  }
  throw new Error('expected the SDK call to fail, but it succeeded');
}

async function listIds(client: DigitalTwinsClient, dependenciesFor?: string[]): Promise<string[]> {
  const ids: string[] = [];
  for await (const model of client.listModels(dependenciesFor, false)) ids.push(model.id);
  return ids;
}

describe('models API via DigitalTwinsClient', () => {
  let emulator: EmulatorHandle;
  let client: DigitalTwinsClient;
  let httpClient: TrustingHttpClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    ({ client, httpClient } = createEmulatorClient(emulator));
  });
  afterAll(async () => {
    httpClient.destroy();
    await emulator.close();
  });
  beforeEach(() => emulator.reset());

  it('createModels answers 201 with model data; getModel with and without the definition', async () => {
    const created = await client.createModels([space, room]);
    expect(created._response.status).toBe(201);
    expect(created.map((m) => [m.id, m.displayName, m.decommissioned])).toEqual([
      [space['@id'], { en: 'Space' }, false],
      [room['@id'], { en: 'Room', nl: 'Kamer' }, false],
    ]);
    expect(created[0]?.uploadTime).toBeInstanceOf(Date);

    const plain = await client.getModel(room['@id']);
    expect(plain.id).toBe(room['@id']);
    expect(plain.model).toBeUndefined();
    const full = await client.getModel(room['@id'], true);
    expect(full.model).toEqual(room);
  });

  it('duplicate ids → 409 ModelIdAlreadyExists', async () => {
    await client.createModels([space]);
    const error = await restErrorOf(() => client.createModels([space]));
    expect([error.statusCode, error.code]).toEqual([409, 'ModelIdAlreadyExists']);
  });

  it('invalid DTDL → 400 DTDLParserError with the parser explanation; empty array → 400 InvalidArgument', async () => {
    const bad = {
      '@context': 'dtmi:dtdl:context;2',
      '@id': 'dtmi:x:Bad;1',
      '@type': 'Interface',
      contents: [{ '@type': 'Property', name: 'p', schema: 'strin' }],
    };
    const error = await restErrorOf(() => client.createModels([bad]));
    expect([error.statusCode, error.code]).toEqual([400, 'DTDLParserError']);
    expect(error.message).toContain("whose property 'schema' has value 'strin' that is neither a valid DTMI reference nor a DTDL v2 term");
    const empty = await restErrorOf(() => client.createModels([]));
    expect([empty.statusCode, empty.code]).toEqual([400, 'InvalidArgument']);
    const missing = await restErrorOf(() => client.getModel(bad['@id']));
    expect([missing.statusCode, missing.code]).toEqual([404, 'ModelNotFound']);
  });

  it('listModels returns everything, or the requested models with their dependencies first', async () => {
    await client.createModels(allModels);
    expect((await listIds(client)).sort()).toEqual(allModels.map((m) => m['@id']).sort());
    expect(await listIds(client, [meeting['@id']])).toEqual([space['@id'], room['@id'], meeting['@id']]);
    expect(await listIds(client, [thermostat['@id'], building['@id']])).toEqual([
      deviceInfo['@id'],
      thermostat['@id'],
      space['@id'],
      building['@id'],
    ]);
    const withDefinitions: unknown[] = [];
    for await (const model of client.listModels([deviceInfo['@id']], true)) withDefinitions.push(model.model);
    expect(withDefinitions).toEqual([deviceInfo]);
  });

  it('decommissionModel answers 204 twice; deleteModel 409 while referenced, then 204', async () => {
    await client.createModels([space, room]);
    expect((await client.decomissionModel(space['@id']))._response.status).toBe(204);
    expect((await client.decomissionModel(space['@id']))._response.status).toBe(204);
    expect((await client.getModel(space['@id'])).decommissioned).toBe(true);

    const referenced = await restErrorOf(() => client.deleteModel(space['@id']));
    expect([referenced.statusCode, referenced.code]).toEqual([409, 'ModelReferencesNotDeleted']);
    expect((await client.deleteModel(room['@id']))._response.status).toBe(204);
    expect((await client.deleteModel(space['@id']))._response.status).toBe(204);
    expect(await listIds(client)).toEqual([]);
  });

  it('twin validation uses the uploaded models (ValidationFailed details name the property)', async () => {
    await client.createModels([deviceInfo, thermostat]);
    const error = await restErrorOf(() =>
      client.upsertDigitalTwin(
        't1',
        JSON.stringify({ $metadata: { $model: thermostat['@id'] }, targetTemperature: 'hot', deviceInfo: { $metadata: {} } }),
      ),
    );
    expect([error.statusCode, error.code]).toEqual([400, 'ValidationFailed']);
    expect(JSON.stringify((error as RestErrorLike & { details?: unknown }).details)).toContain(
      '/targetTemperature: expected double but got string \\"hot\\"',
    );
    const twin = await client.upsertDigitalTwin(
      't1',
      JSON.stringify({ $metadata: { $model: thermostat['@id'] }, targetTemperature: 21, deviceInfo: { $metadata: {} } }),
    );
    expect(twin.body.targetTemperature).toBe(21);
  });
});
