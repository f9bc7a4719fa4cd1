// MATCH through the official SDK (queryTwins, paging, RestError), over a REC-shaped graph: a building
// whose levels are `isPartOf` it, rooms `isPartOf` levels, and sensors that are `isPointOf` rooms.
import { RestError } from '@azure/core-http';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createTestClient } from '../../support/emulatorClient';

const ctx = 'dtmi:dtdl:context;2';
const SPACE = 'dtmi:matchtest:Space;1';
const SENSOR = 'dtmi:matchtest:Sensor;1';
const models = [
  {
    '@context': ctx,
    '@id': SPACE,
    '@type': 'Interface',
    contents: [
      { '@type': 'Property', name: 'name', schema: 'string' },
      { '@type': 'Relationship', name: 'isPartOf', target: SPACE, properties: [{ '@type': 'Property', name: 'since', schema: 'integer' }] },
    ],
  },
  {
    '@context': ctx,
    '@id': SENSOR,
    '@type': 'Interface',
    contents: [
      { '@type': 'Property', name: 'temperature', schema: 'double' },
      { '@type': 'Relationship', name: 'isPointOf', target: SPACE },
    ],
  },
];

async function seed(client: DigitalTwinsClient): Promise<void> {
  await client.createModels(models);
  const put = (id: string, body: Record<string, unknown>) => client.upsertDigitalTwin(id, JSON.stringify(body));
  await put('building', { $metadata: { $model: SPACE }, name: 'HQ' });
  for (const level of [1, 2]) {
    await put(`level-${level}`, { $metadata: { $model: SPACE }, name: `Level ${level}` });
    await client.upsertRelationship(`level-${level}`, `level-${level}-in-building`, {
      $targetId: 'building',
      $relationshipName: 'isPartOf',
      since: 2000 + level,
    });
    for (const room of [1, 2, 3]) {
      const id = `room-${level}0${room}`;
      await put(id, { $metadata: { $model: SPACE }, name: `Room ${level}0${room}` });
      await client.upsertRelationship(id, `${id}-in-level`, { $targetId: `level-${level}`, $relationshipName: 'isPartOf' });
      await put(`sensor-${level}0${room}`, { $metadata: { $model: SENSOR }, temperature: 18 + level + room });
      await client.upsertRelationship(`sensor-${level}0${room}`, `sensor-${level}0${room}-of`, {
        $targetId: id,
        $relationshipName: 'isPointOf',
      });
    }
  }
}

type Row = Record<string, Record<string, unknown>>;

describe('MATCH through the SDK', () => {
  let emulator: EmulatorHandle;
  let client: DigitalTwinsClient;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    client = createTestClient(emulator);
    await seed(client);
  });
  afterAll(() => emulator.close());

  async function query(text: string, perPage?: number): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const row of client.queryTwins(text, perPage)) rows.push(row as Row);
    return rows;
  }

  test('incoming variable hops: every sensor of the building, from the building down (isPartOf points up)', async () => {
    const rows = await query("SELECT s FROM DIGITALTWINS MATCH (b)<-[:isPartOf*2]-(r)<-[:isPointOf]-(s) WHERE b.$dtId = 'building'");
    expect(rows.map((r) => r['s']?.['$dtId'])).toEqual([
      'sensor-101',
      'sensor-102',
      'sensor-103',
      'sensor-201',
      'sensor-202',
      'sensor-203',
    ]);
  });

  test('outgoing from a sensor up to its building, any number of hops up to 3, with property filters', async () => {
    const rows = await query(
      "SELECT up.name AS name FROM DIGITALTWINS MATCH (s)-[*..3]->(up) WHERE s.$dtId = 'sensor-203' AND NOT IS_DEFINED(up.temperature)",
    );
    expect(rows).toEqual([{ name: 'Room 203' }, { name: 'Level 2' }, { name: 'HQ' }]);
  });

  test('relationship variable with a property filter, projected with twins', async () => {
    const rows = await query(
      "SELECT l, rel FROM DIGITALTWINS MATCH (b)<-[rel:isPartOf]-(l) WHERE b.$dtId = 'building' AND rel.since > 2001",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.['l']).toMatchObject({ $dtId: 'level-2', name: 'Level 2' });
    expect(rows[0]?.['rel']).toMatchObject({
      $relationshipId: 'level-2-in-building',
      $sourceId: 'level-2',
      $targetId: 'building',
      $relationshipName: 'isPartOf',
      since: 2002,
    });
  });

  test('non-directional siblings: rooms sharing a level with room-102', async () => {
    const rows = await query(
      "SELECT sibling.$dtId AS id FROM DIGITALTWINS MATCH (r)-[:isPartOf]->(l)<-[:isPartOf]-(sibling) WHERE r.$dtId = 'room-102'",
    );
    expect(rows).toEqual([{ id: 'room-101' }, { id: 'room-103' }]);
  });

  test('rows page with max-items-per-page and continuation tokens, and COUNT() counts them', async () => {
    const text = "SELECT x FROM DIGITALTWINS MATCH (b)<-[*..3]-(x) WHERE b.$dtId = 'building'";
    const pages: number[] = [];
    for await (const page of client.queryTwins(text, 5).byPage()) pages.push(page.value?.length ?? 0);
    expect(pages).toEqual([5, 5, 4]);
    expect(await query(text.replace('SELECT x', 'SELECT COUNT()'))).toEqual([{ COUNT: 14 }]);
  });

  test('SELECT * returns every named twin and relationship variable', async () => {
    const rows = await query("SELECT * FROM DIGITALTWINS MATCH (s)-[p:isPointOf]->(r) WHERE s.$dtId = 'sensor-101'");
    expect(Object.keys(rows[0] ?? {})).toEqual(['s', 'r', 'p']);
  });

  test('errors are 400 SqlQueryError RestErrors', async () => {
    const error = await client
      .queryTwins('SELECT a FROM DIGITALTWINS MATCH (a)-[]->(b)')
      .next()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestError);
    expect([(error as RestError).statusCode, (error as RestError).code]).toEqual([400, 'SqlQueryError']);
    expect((error as RestError).message).toContain('a query with MATCH must filter at least one of its twins by $dtId');
  });
});
