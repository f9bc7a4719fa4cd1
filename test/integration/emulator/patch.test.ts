// PATCH twins and components through the SDK: ADT's JSON Patch rules, $metadata upkeep, sourceTime, model change.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createTestClient, rawRequest } from '../../support/emulatorClient';
import { createRoom, models, restError, ROOM_V2, SEVEN_DIGITS } from './fixtures';

type Meta = Record<string, { lastUpdateTime: string; sourceTime?: string }> & { $lastUpdateTime: string; $model: string };
type Twin = Record<string, unknown> & { $metadata: Meta; $etag: string };

let emulator: EmulatorHandle;
let client: DigitalTwinsClient;
const get = async (id: string): Promise<Twin> => (await client.getDigitalTwin(id)).body as Twin;

beforeAll(async () => {
  emulator = await startEmulator();
  client = createTestClient(emulator);
  await client.createModels(models);
});
afterAll(async () => {
  await emulator.close();
});

describe('PATCH /digitaltwins/{id}', () => {
  it('204 + new etag; only changed properties get a new lastUpdateTime', async () => {
    const before = (await createRoom(client, 'p1', { name: 'A' })) as Twin;
    const response = await client.updateDigitalTwin('p1', [{ op: 'replace', path: '/temperature', value: 23.5 }]);
    expect(response.etag).toMatch(/^W\/"/);
    expect(response.etag).not.toBe(before.$etag);
    const after = await get('p1');
    expect(after['temperature']).toBe(23.5);
    expect(after.$etag).toBe(response.etag);
    expect(after.$metadata['temperature']?.lastUpdateTime).toMatch(SEVEN_DIGITS);
    expect((after.$metadata['temperature']?.lastUpdateTime ?? '') > (before.$metadata['temperature']?.lastUpdateTime ?? '')).toBe(true);
    expect(after.$metadata['name']).toEqual(before.$metadata['name']);
    expect(after.$metadata.$lastUpdateTime).toBe(after.$metadata['temperature']?.lastUpdateTime);
  });

  it('add is an upsert; remove drops the property and its $metadata entry', async () => {
    await createRoom(client, 'p2', { name: 'A' });
    await client.updateDigitalTwin('p2', [{ op: 'add', path: '/name', value: 'B' }]);
    expect((await get('p2'))['name']).toBe('B');
    await client.updateDigitalTwin('p2', [{ op: 'remove', path: '/name' }]);
    const twin = await get('p2');
    expect(twin['name']).toBeUndefined();
    expect(twin.$metadata['name']).toBeUndefined();
  });

  it('replace or remove of an unset property is JsonPatchInvalid naming the segment', async () => {
    await createRoom(client, 'p3');
    for (const op of ['replace', 'remove'] as const) {
      const error = await restError(client.updateDigitalTwin('p3', [{ op, path: '/name', ...(op === 'replace' ? { value: 'x' } : {}) }]));
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe('JsonPatchInvalid');
      expect(error.message).toBe(
        "The target location specified by path segment 'name' was not found. Please provide a valid patch document. See section on update apis in the documentation https://aka.ms/adtv2twins.",
      );
    }
  });

  it('rejects move and elements without op with the ADT messages', async () => {
    await createRoom(client, 'p4');
    const move = await restError(client.updateDigitalTwin('p4', [{ op: 'move', from: '/temperature', path: '/name' }]));
    expect(move.message).toBe(
      'Unsupported operation type move. Please provide a valid patch document. See section on update apis in the documentation https://aka.ms/adtv2twins.',
    );
    const noOp = await restError(client.updateDigitalTwin('p4', [{}]));
    expect(noOp.code).toBe('JsonPatchInvalid');
    expect(noOp.message).toBe(
      'Parameter op must not be empty. Please provide a valid patch document. See section on update apis in the documentation https://aka.ms/adtv2twins.',
    );
  });

  it('is atomic: a failing later operation leaves the twin untouched', async () => {
    const before = (await createRoom(client, 'p5', { name: 'A' })) as Twin;
    const error = await restError(
      client.updateDigitalTwin('p5', [
        { op: 'replace', path: '/name', value: 'B' },
        { op: 'remove', path: '/position' },
      ]),
    );
    expect(error.code).toBe('JsonPatchInvalid');
    expect(await get('p5')).toEqual(before);
  });

  it('object sub-properties need their parent first', async () => {
    await createRoom(client, 'p6');
    const error = await restError(client.updateDigitalTwin('p6', [{ op: 'add', path: '/position/x', value: 1 }]));
    expect(error.message).toContain("path segment 'position' was not found");
    await client.updateDigitalTwin('p6', [{ op: 'add', path: '/position', value: { x: 1, y: 2 } }]);
    await client.updateDigitalTwin('p6', [{ op: 'replace', path: '/position/x', value: 5 }]);
    const twin = await get('p6');
    expect(twin['position']).toEqual({ x: 5, y: 2 });
    expect(Object.keys(twin.$metadata['position'] ?? {})).toEqual(['lastUpdateTime']);
  });

  it('a value of the wrong type is ValidationFailed', async () => {
    await createRoom(client, 'p7');
    const error = await restError(client.updateDigitalTwin('p7', [{ op: 'replace', path: '/temperature', value: 'warm' }]));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('ValidationFailed');
  });

  it('If-Match: a stale etag is 412, a current one or * succeeds, a malformed one is 400', async () => {
    const twin = (await createRoom(client, 'p8')) as Twin;
    await client.updateDigitalTwin('p8', [{ op: 'replace', path: '/temperature', value: 1 }], { ifMatch: twin.$etag });
    const stale = await restError(
      client.updateDigitalTwin('p8', [{ op: 'replace', path: '/temperature', value: 2 }], { ifMatch: twin.$etag }),
    );
    expect(stale.statusCode).toBe(412);
    expect(stale.code).toBe('PreconditionFailed');
    await client.updateDigitalTwin('p8', [{ op: 'replace', path: '/temperature', value: 3 }], { ifMatch: '*' });
    const bad = await rawRequest(emulator, 'PATCH', '/digitaltwins/p8?api-version=2022-05-31', {
      body: [{ op: 'replace', path: '/temperature', value: 4 }],
      headers: { 'if-match': 'XXX', 'content-type': 'application/json-patch+json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 'InvalidArgument' } });
    expect((await get('p8'))['temperature']).toBe(3);
  });

  it('a missing twin is 404 DigitalTwinNotFound', async () => {
    const error = await restError(client.updateDigitalTwin('nobody', [{ op: 'add', path: '/temperature', value: 1 }]));
    expect(error.code).toBe('DigitalTwinNotFound');
  });
});

describe('sourceTime', () => {
  it('is set by /$metadata/<prop>/sourceTime, survives later value-only patches, and must be ISO 8601', async () => {
    await createRoom(client, 's1');
    await client.updateDigitalTwin('s1', [
      { op: 'replace', path: '/temperature', value: 21 },
      { op: 'replace', path: '/$metadata/temperature/sourceTime', value: '2021-11-30T18:47:53.7648958Z' },
    ]);
    await client.updateDigitalTwin('s1', [{ op: 'replace', path: '/temperature', value: 22 }]);
    const twin = await get('s1');
    expect(twin.$metadata['temperature']?.sourceTime).toBe('2021-11-30T18:47:53.7648958Z');
    expect(twin['temperature']).toBe(22);
    const error = await restError(
      client.updateDigitalTwin('s1', [{ op: 'replace', path: '/$metadata/temperature/sourceTime', value: 'yesterday' }]),
    );
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('JsonPatchInvalid');
  });

  it('works for component properties via /<comp>/$metadata/<prop>/sourceTime', async () => {
    await createRoom(client, 's2');
    await client.updateDigitalTwin('s2', [
      { op: 'add', path: '/thermostat/setpoint', value: 21 },
      { op: 'add', path: '/thermostat/$metadata/setpoint/sourceTime', value: '2022-01-01T00:00:00Z' },
    ]);
    const component = (await get('s2'))['thermostat'] as { $metadata: Record<string, { sourceTime?: string; lastUpdateTime?: string }> };
    expect(component.$metadata['setpoint']?.sourceTime).toBe('2022-01-01T00:00:00Z');
    expect(component.$metadata['setpoint']?.lastUpdateTime).toMatch(SEVEN_DIGITS);
  });
});

describe('components', () => {
  it('patches through the twin endpoint with /comp/prop and keeps a component $metadata without $model', async () => {
    await createRoom(client, 'c1');
    await client.updateDigitalTwin('c1', [{ op: 'add', path: '/thermostat/mode', value: 'heat' }]);
    const component = (await client.getComponent('c1', 'thermostat')).body as Record<string, unknown> & {
      $metadata: Record<string, unknown>;
    };
    expect(component['mode']).toBe('heat');
    expect(component.$metadata['$model']).toBeUndefined();
    expect(component.$metadata['$lastUpdateTime']).toMatch(SEVEN_DIGITS);
  });

  it('patches through the component endpoint with relative paths and returns the twin etag', async () => {
    await createRoom(client, 'c2');
    const response = await client.updateComponent('c2', 'thermostat', [{ op: 'add', path: '/setpoint', value: 19.5 }]);
    const twin = await get('c2');
    expect((twin['thermostat'] as Record<string, unknown>)['setpoint']).toBe(19.5);
    expect(response.etag).toBe(twin.$etag);
    const got = await client.getComponent('c2', 'thermostat');
    expect(got.etag).toBe(twin.$etag);
  });

  it('a missing component: PATCH is 400 JsonPatchInvalid "Could not resolve path", GET is 404 ComponentNotFound', async () => {
    await createRoom(client, 'c3');
    const patch = await restError(client.updateComponent('c3', 'Component2', [{ op: 'add', path: '/ComponentProp1', value: 1 }]));
    expect(patch.statusCode).toBe(400);
    expect(patch.code).toBe('JsonPatchInvalid');
    expect(patch.message).toBe(
      'Could not resolve path /Component2/ComponentProp1. Please provide a valid patch document. See section on update apis in the documentation https://aka.ms/adtv2twins.',
    );
    const get404 = await restError(client.getComponent('c3', 'Component2'));
    expect(get404.statusCode).toBe(404);
    expect(get404.code).toBe('ComponentNotFound');
    expect(get404.message).toBe(
      'c3 does not have component Component2 Please verify that the component path is correct. You can get components by getting the twin, See example https://aka.ms/TwinGetSwSmpl.',
    );
  });
});

describe('model change', () => {
  it('replaces /$metadata/$model and re-validates the whole twin in the same patch', async () => {
    await createRoom(client, 'm1', { name: 'old' });
    const error = await restError(client.updateDigitalTwin('m1', [{ op: 'replace', path: '/$metadata/$model', value: ROOM_V2 }]));
    expect(error.code).toBe('ValidationFailed');
    await client.updateDigitalTwin('m1', [
      { op: 'replace', path: '/$metadata/$model', value: ROOM_V2 },
      { op: 'remove', path: '/name' },
      { op: 'add', path: '/label', value: 'new' },
    ]);
    const twin = await get('m1');
    expect(twin.$metadata.$model).toBe(ROOM_V2);
    expect(twin['label']).toBe('new');
    expect(twin['name']).toBeUndefined();
  });
});
