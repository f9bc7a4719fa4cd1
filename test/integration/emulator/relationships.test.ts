// Relationships through the SDK: CRUD codes, conditions, validation, lists with paging, incoming links.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createTestClient, rawRequest } from '../../support/emulatorClient';
import { createFloor, createRoom, models, restError } from './fixtures';

let emulator: EmulatorHandle;
let client: DigitalTwinsClient;

beforeAll(async () => {
  // Per-twin write limits are exercised by the limits tests; here they would only slow the setup down.
  emulator = await startEmulator({ store: { relationshipPageSize: 4 }, limits: { perTwinWritesPerSecond: 1000 } });
  client = createTestClient(emulator);
  await client.createModels(models);
  await createFloor(client, 'floor-1');
  await createRoom(client, 'room-a');
  await createRoom(client, 'room-b');
});
afterAll(async () => {
  await emulator.close();
});

const contains = (target: string, extra: Record<string, unknown> = {}) => ({ $targetId: target, $relationshipName: 'contains', ...extra });

describe('relationship CRUD', () => {
  it('PUT returns 200 with the relationship in ADT key order and an etag', async () => {
    const response = await client.upsertRelationship('floor-1', 'r-a', contains('room-a', { since: '2020', $sourceId: 'ignored' }));
    expect(Object.keys(response.body as object)).toEqual([
      '$relationshipId',
      '$etag',
      '$sourceId',
      '$relationshipName',
      '$targetId',
      'since',
    ]);
    expect(response.body).toMatchObject({ $relationshipId: 'r-a', $sourceId: 'floor-1', $targetId: 'room-a', since: '2020' });
    expect(response.etag).toBe((response.body as { $etag: string }).$etag);
    const got = await client.getRelationship('floor-1', 'r-a');
    expect(got.body).toEqual(response.body);
  });

  it('PATCH is 204 with a new etag; DELETE is 204', async () => {
    const created = await client.upsertRelationship('floor-1', 'r-tmp', contains('room-b'));
    const patched = await client.updateRelationship('floor-1', 'r-tmp', [{ op: 'add', path: '/since', value: '2021' }]);
    expect(patched.etag).not.toBe(created.etag);
    expect((await client.getRelationship('floor-1', 'r-tmp')).body).toMatchObject({ since: '2021', $etag: patched.etag });
    const missing = await restError(client.updateRelationship('floor-1', 'r-tmp', [{ op: 'remove', path: '/isAccessDoorRestricted' }]));
    expect(missing.message).toBe(
      "The target location specified by path segment 'isAccessDoorRestricted' was not found. Please provide a valid patch document. See section on update apis in the documentation https://aka.ms/adtv2twins.",
    );
    const stale = await restError(client.deleteRelationship('floor-1', 'r-tmp', { ifMatch: created.etag ?? '' }));
    expect(stale.statusCode).toBe(412);
    await client.deleteRelationship('floor-1', 'r-tmp');
    const gone = await restError(client.getRelationship('floor-1', 'r-tmp'));
    expect(gone.statusCode).toBe(404);
    expect(gone.code).toBe('RelationshipNotFound');
    expect(gone.message).toBe(
      'Relationship r-tmp not found on twin floor-1. Please verify that the relationship id is valid and ensure that the relationship is not deleted. See section on listing relationships in the documentation http://aka.ms/adtv2twins.',
    );
  });

  it('a missing target is 404 TargetDigitalTwinNotFound; a missing source is DigitalTwinNotFound', async () => {
    const target = await restError(client.upsertRelationship('floor-1', 'r-x', contains('nope')));
    expect(target.statusCode).toBe(404);
    expect(target.code).toBe('TargetDigitalTwinNotFound');
    const source = await restError(client.upsertRelationship('nope', 'r-x', contains('room-a')));
    expect(source.code).toBe('DigitalTwinNotFound');
  });

  it('a relationship the model does not define is 400 InvalidRelationship', async () => {
    const error = await restError(client.upsertRelationship('room-a', 'r-bad', contains('room-b')));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('InvalidRelationship');
  });

  it('If-None-Match: * on an existing relationship is 412', async () => {
    await client.upsertRelationship('floor-1', 'r-once', contains('room-b'), { ifNoneMatch: '*' });
    const error = await restError(client.upsertRelationship('floor-1', 'r-once', contains('room-b'), { ifNoneMatch: '*' }));
    expect(error.statusCode).toBe(412);
    expect(error.message).toBe(
      'If-None-Match: * header was specified but a relationship with the id r-once was found. Please specify a different relationship id.',
    );
    await client.deleteRelationship('floor-1', 'r-once');
  });

  it('deleting a twin that still has relationships is 400 RelationshipsNotDeleted', async () => {
    const error = await restError(client.deleteDigitalTwin('room-a'));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('RelationshipsNotDeleted');
    expect(error.message).toBe(
      'Twin room-a has active relationships. Cannot delete a twin unless all the relationships are deleted. Please ensure that the active relationships on the twin are deleted. See section on retrieving relationships https://aka.ms/adtv2twins.',
    );
  });
});

describe('relationship lists', () => {
  beforeAll(async () => {
    await createFloor(client, 'floor-big');
    for (let i = 0; i < 10; i++) await client.upsertRelationship('floor-big', `big-${i}`, contains(i % 2 === 0 ? 'room-a' : 'room-b'));
  });

  it('pages outgoing relationships through absolute nextLinks and ends with nextLink null', async () => {
    const ids: string[] = [];
    for await (const rel of client.listRelationships('floor-big')) ids.push((rel as { $relationshipId: string }).$relationshipId);
    expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `big-${i}`));
    const first = await rawRequest(emulator, 'GET', '/digitaltwins/floor-big/relationships?api-version=2022-05-31');
    const page = first.json as { value: unknown[]; nextLink: string | null };
    expect(page.value).toHaveLength(4);
    expect(page.nextLink?.startsWith(`${emulator.url}/digitaltwins/floor-big/relationships?`)).toBe(true);
    const last = await rawRequest(emulator, 'GET', '/digitaltwins/room-b/relationships?api-version=2022-05-31');
    expect(last.json).toEqual({ value: [], nextLink: null });
  });

  it('filters by relationshipName (SDK 1.1.0 cannot send it, so on the wire)', async () => {
    const list = async (name: string) =>
      (await rawRequest(emulator, 'GET', `/digitaltwins/floor-1/relationships?relationshipName=${name}&api-version=2022-05-31`)).json as {
        value: Array<{ $relationshipId: string }>;
        nextLink: string | null;
      };
    expect((await list('contains')).value.map((r) => r.$relationshipId)).toEqual(['r-a']);
    expect(await list('other')).toEqual({ value: [], nextLink: null });
    const paged = (
      await rawRequest(emulator, 'GET', '/digitaltwins/floor-big/relationships?relationshipName=contains&api-version=2022-05-31')
    ).json as { nextLink: string };
    expect(new URL(paged.nextLink).searchParams.get('relationshipName')).toBe('contains');
  });

  it('lists incoming relationships with a resolvable $relationshipLink', async () => {
    const incoming: Array<Record<string, unknown>> = [];
    for await (const rel of client.listIncomingRelationships('room-b')) incoming.push(rel as Record<string, unknown>);
    expect(incoming).toHaveLength(5);
    expect(incoming[0]).toEqual({
      relationshipId: 'big-1',
      sourceId: 'floor-big',
      relationshipName: 'contains',
      relationshipLink: '/digitaltwins/floor-big/relationships/big-1',
    });
    const followed = await rawRequest(emulator, 'GET', `${String(incoming[0]?.['relationshipLink'])}?api-version=2022-05-31`);
    expect(followed.status).toBe(200);
  });

  it('listing for a missing twin is 404', async () => {
    const res = await rawRequest(emulator, 'GET', '/digitaltwins/ghost/incomingrelationships?api-version=2022-05-31');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'DigitalTwinNotFound' } });
  });
});
