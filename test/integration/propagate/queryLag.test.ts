// The emulator's query lag (--query-lag / queryLag): queries see writes only after the lag, GET
// and relationship lists at once, as in ADT.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { parseQueryLag } from '../../../local/emulator/query/laggedSource';
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createTestClient } from '../../support/emulatorClient';

const model = {
  '@id': 'dtmi:lag:Thing;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    { '@type': 'Property', name: 'v', schema: 'double' },
    { '@type': 'Relationship', name: 'has' },
  ],
};

async function ids(client: DigitalTwinsClient, query: string): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const row of client.queryTwins(query)) rows.push(row);
  return rows;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('emulator query lag', () => {
  let emulator: EmulatorHandle;
  let client: DigitalTwinsClient;
  const LAG = 400;

  beforeAll(async () => {
    emulator = await startEmulator({ queryLag: { lagMs: LAG } });
    client = createTestClient(emulator);
    await client.createModels([model]);
  });
  afterAll(() => emulator.close());

  it('a new twin, a changed value, a new relationship and a delete reach queries only after the lag; GET at once', async () => {
    await client.upsertDigitalTwin('a', JSON.stringify({ $metadata: { $model: model['@id'] }, v: 1 }));
    await client.upsertDigitalTwin('b', JSON.stringify({ $metadata: { $model: model['@id'] }, v: 2 }));
    expect((await client.getDigitalTwin('a')).body).toMatchObject({ v: 1 });
    expect(await ids(client, 'SELECT T.v FROM DIGITALTWINS T')).toEqual([]);
    await sleep(LAG + 100);
    expect(await ids(client, 'SELECT T.v FROM DIGITALTWINS T')).toEqual([{ v: 1 }, { v: 2 }]);

    await client.updateDigitalTwin('a', [{ op: 'replace', path: '/v', value: 10 }]);
    await client.upsertRelationship('a', 'r1', { $targetId: 'b', $relationshipName: 'has' });
    const join = "SELECT C.v FROM DIGITALTWINS P JOIN C RELATED P.has WHERE P.$dtId = 'a'";
    expect(await ids(client, "SELECT T.v FROM DIGITALTWINS T WHERE T.$dtId = 'a'")).toEqual([{ v: 1 }]);
    expect(await ids(client, join)).toEqual([]);
    let listed = 0;
    for await (const _ of client.listRelationships('a')) listed += 1;
    expect(listed).toBe(1);
    await sleep(LAG + 100);
    expect(await ids(client, "SELECT T.v FROM DIGITALTWINS T WHERE T.$dtId = 'a'")).toEqual([{ v: 10 }]);
    expect(await ids(client, join)).toEqual([{ v: 2 }]);

    await client.deleteRelationship('a', 'r1');
    await client.deleteDigitalTwin('b');
    expect(await ids(client, join)).toEqual([{ v: 2 }]);
    expect(await ids(client, 'SELECT T.v FROM DIGITALTWINS T')).toEqual([{ v: 10 }, { v: 2 }]);
    await sleep(LAG + 100);
    expect(await ids(client, join)).toEqual([]);
    expect(await ids(client, 'SELECT T.v FROM DIGITALTWINS T')).toEqual([{ v: 10 }]);
  });

  it('parses --query-lag <ms>[:<jitter>] and says what it expects otherwise', () => {
    expect(parseQueryLag('2000')).toEqual({ lagMs: 2000, jitterMs: 0 });
    expect(parseQueryLag('2000:500')).toEqual({ lagMs: 2000, jitterMs: 500 });
    expect(() => parseQueryLag('2s')).toThrow(/--query-lag must be <ms> or <ms>:<jitterMs>/);
  });
});
