// POST /query end to end: the official DigitalTwinsClient (paging, continuation, errors) against the emulator.
import { RestError } from '@azure/core-http';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createTestClient, rawRequest } from '../../support/emulatorClient';

const ctx = 'dtmi:dtdl:context;2';
const M = {
  space: 'dtmi:querytest:Space;1',
  building: 'dtmi:querytest:Building;1',
  floor: 'dtmi:querytest:Floor;1',
  room: 'dtmi:querytest:Room;1',
  meeting: 'dtmi:querytest:MeetingRoom;1',
};
const models = [
  {
    '@context': ctx,
    '@id': M.space,
    '@type': 'Interface',
    contents: [
      { '@type': 'Property', name: 'name', schema: 'string' },
      {
        '@type': 'Relationship',
        name: 'contains',
        target: M.space,
        properties: [{ '@type': 'Property', name: 'since', schema: 'integer' }],
      },
    ],
  },
  { '@context': ctx, '@id': M.building, '@type': 'Interface', extends: M.space },
  {
    '@context': ctx,
    '@id': M.floor,
    '@type': 'Interface',
    extends: M.space,
    contents: [{ '@type': 'Property', name: 'level', schema: 'integer' }],
  },
  {
    '@context': ctx,
    '@id': M.room,
    '@type': 'Interface',
    extends: M.space,
    contents: [{ '@type': 'Property', name: 'temperature', schema: 'double' }],
  },
  {
    '@context': ctx,
    '@id': M.meeting,
    '@type': 'Interface',
    extends: M.room,
    contents: [{ '@type': 'Property', name: 'seats', schema: 'integer' }],
  },
];

const roomIds = Array.from({ length: 24 }, (_, i) => `room-${String(i + 1).padStart(2, '0')}`);
/** Every 4th room is a meeting room (exact model MeetingRoom, inherited model Room). */
const isMeeting = (i: number) => i % 4 === 3;

async function seed(client: DigitalTwinsClient): Promise<void> {
  await client.createModels(models);
  const put = (id: string, body: Record<string, unknown>) => client.upsertDigitalTwin(id, JSON.stringify(body));
  await put('building-1', { $metadata: { $model: M.building }, name: 'HQ' });
  for (const level of [1, 2]) {
    await put(`floor-${level}`, { $metadata: { $model: M.floor }, name: `Floor ${level}`, level });
    await client.upsertRelationship('building-1', `b-f${level}`, {
      $targetId: `floor-${level}`,
      $relationshipName: 'contains',
      since: 2000 + level,
    });
  }
  for (const [i, id] of roomIds.entries()) {
    const model = isMeeting(i) ? M.meeting : M.room;
    await put(id, { $metadata: { $model: model }, name: `Room ${i + 1}`, temperature: 18 + i / 2, ...(isMeeting(i) ? { seats: 8 } : {}) });
    const floor = i < 12 ? 'floor-1' : 'floor-2';
    await client.upsertRelationship(floor, `${floor}-${id}`, { $targetId: id, $relationshipName: 'contains' });
  }
}

async function restErrorOf(action: () => Promise<unknown>): Promise<RestError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof RestError) return error;
    throw error;
  }
  throw new Error('expected a RestError, but the call succeeded');
}

async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('emulator POST /query via DigitalTwinsClient.queryTwins', () => {
  let emulator: EmulatorHandle;
  let client: DigitalTwinsClient;

  beforeAll(async () => {
    emulator = await startEmulator();
    client = createTestClient(emulator);
    await seed(client);
  });
  afterAll(() => emulator.close());

  it('iterates every twin across pages, in creation order', async () => {
    const twins = await all(client.queryTwins('SELECT * FROM DIGITALTWINS', 10));
    expect(twins.map((t: { $dtId: string }) => t.$dtId)).toEqual(['building-1', 'floor-1', 'floor-2', ...roomIds]);
  });

  it('byPage yields max-items-per-page rows, a numeric queryCharge per page and ends on a null token', async () => {
    const pages = await all(client.queryTwins(`SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('${M.room}')`, 10).byPage());
    expect(pages.map((p) => p.value?.length)).toEqual([10, 10, 4]);
    for (const page of pages) expect(page.queryCharge).toBeGreaterThanOrEqual(1);
    expect(pages.slice(0, 2).every((p) => typeof p.continuationToken === 'string')).toBe(true);
    expect(pages[2]?.continuationToken).toBeNull();
  });

  it('resumes from a continuation token with byPage({ continuationToken })', async () => {
    const query = 'SELECT T.$dtId FROM DIGITALTWINS T WHERE T.temperature >= 20';
    const [first] = await all(client.queryTwins(query, 5).byPage());
    const token = first?.continuationToken;
    expect(typeof token).toBe('string');
    const rest = await all(client.queryTwins(query, 5).byPage({ continuationToken: token ?? undefined }));
    const ids = [first, ...rest].flatMap((p) => (p?.value ?? []).map((row: { $dtId: string }) => row.$dtId));
    expect(ids).toEqual(roomIds.slice(4));
  });

  it('IS_OF_MODEL follows extends unless exact', async () => {
    const meetings = roomIds.filter((_, i) => isMeeting(i));
    const inherited = await all(client.queryTwins(`SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '${M.room}')`));
    expect(inherited).toHaveLength(24);
    const exact = await all(client.queryTwins(`SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '${M.meeting}', exact)`));
    expect(exact.map((r: { $dtId: string }) => r.$dtId)).toEqual(meetings);
    const [count] = await all(client.queryTwins(`SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('${M.space}')`));
    expect(count).toEqual({ COUNT: 27 });
  });

  it('JOIN projects twins and relationship properties', async () => {
    const rows = await all(
      client.queryTwins("SELECT F.$dtId, R.since FROM DIGITALTWINS B JOIN F RELATED B.contains R WHERE B.$dtId = 'building-1'"),
    );
    expect(rows).toEqual([
      { $dtId: 'floor-1', since: 2001 },
      { $dtId: 'floor-2', since: 2002 },
    ]);
    const rooms = await all(
      client.queryTwins(
        "SELECT COUNT() FROM DIGITALTWINS B JOIN F RELATED B.contains JOIN R RELATED F.contains WHERE B.$dtId = 'building-1' AND R.temperature < 20",
      ),
    );
    expect(rooms).toEqual([{ COUNT: 4 }]);
  });

  it('sends the query-charge header and an explicit null continuationToken on the wire', async () => {
    const response = await rawRequest(emulator, 'POST', '/query?api-version=2022-05-31', {
      body: { query: "SELECT * FROM DIGITALTWINS WHERE $dtId = 'floor-2'" },
      headers: { 'max-items-per-page': '5' },
    });
    expect(response.status).toBe(200);
    expect(Number(response.headers['query-charge'])).toBeGreaterThanOrEqual(1);
    expect(response.json).toMatchObject({ value: [{ $dtId: 'floor-2', level: 2 }], continuationToken: null });
  });

  it('answers a syntax error with 400 SqlQueryError in ADT wording', async () => {
    const error = await restErrorOf(() => all(client.queryTwins('foo')));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('SqlQueryError');
    expect(error.message).toBe(
      "SQL query parse failed: SQL Parser Error, Line=1, Position=0, Message=missing SELECT at 'foo' See samples in http://aka.ms/adtv2query for the correct syntax.",
    );
  });

  it('names unsupported features and enforces JOIN rules with 400', async () => {
    const order = await restErrorOf(() => all(client.queryTwins('SELECT * FROM DIGITALTWINS ORDER BY name')));
    expect([order.statusCode, order.code]).toEqual([400, 'SqlQueryError']);
    expect(order.message).toContain('does not support ORDER BY');
    const star = await restErrorOf(() =>
      all(client.queryTwins("SELECT * FROM DIGITALTWINS B JOIN F RELATED B.contains WHERE B.$dtId = 'building-1'")),
    );
    expect(star.message).toContain('SELECT * is not valid with JOIN');
  });

  it('rejects a garbled continuation token with 400 BadRequest', async () => {
    const error = await restErrorOf(() => all(client.queryTwins('SELECT * FROM DIGITALTWINS').byPage({ continuationToken: 'garbled%%' })));
    expect([error.statusCode, error.code]).toEqual([400, 'BadRequest']);
  });
});
