// ADT's model limits through the official SDK: 250 models per call, 1 MB per model, no 32 KB request
// cap on POST /models (which refused every real ontology), while twins keep their 32 KB limit.
import type { RestError } from '@azure/core-http';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { planModelUpload } from '../../../local/emulator/models/uploadPlan';
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createTestClient, rawRequest } from '../../support/emulatorClient';
import { bigModel, shuffled, syntheticOntology } from './syntheticOntology';

jest.setTimeout(180_000);

describe('model upload limits', () => {
  let emulator: EmulatorHandle;
  let client: DigitalTwinsClient;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    client = createTestClient(emulator);
  });
  beforeEach(() => emulator.reset());
  afterAll(() => emulator.close());

  test('a 60 KB model is accepted and comes back verbatim', async () => {
    const model = bigModel('dtmi:test:Big60;1', 60 * 1024);
    expect(Buffer.byteLength(JSON.stringify(model))).toBeGreaterThan(60 * 1024);
    const [created] = await client.createModels([model]);
    expect(created?.id).toBe('dtmi:test:Big60;1');
    expect((await client.getModel('dtmi:test:Big60;1', true)).model).toEqual(model);
  });

  test('a 2 MB model is refused with 400 LimitExceeded naming the model', async () => {
    const model = bigModel('dtmi:test:Big2M;1', 2 * 1024 * 1024);
    const error = (await client.createModels([model]).catch((e: unknown) => e)) as RestError;
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('LimitExceeded');
    expect(error.message).toMatch(/^The model dtmi:test:Big2M;1 is \d+ bytes, which exceeds the supported limit of 1048576 bytes/);
    expect([...(await collect(client.listModels()))]).toHaveLength(0);
  });

  test('one call may carry more than 1 MB as long as each model is under 1 MB', async () => {
    const models = Array.from({ length: 8 }, (_, i) => bigModel(`dtmi:test:Wide${i};1`, 150 * 1024));
    expect(Buffer.byteLength(JSON.stringify(models))).toBeGreaterThan(1024 * 1024);
    expect(await client.createModels(models)).toHaveLength(8);
  });

  test("251 models in one call: 400 LimitExceeded with ADT's text; 250 are accepted", async () => {
    const models = syntheticOntology(251);
    const error = (await client.createModels(models).catch((e: unknown) => e)) as RestError;
    expect([error.statusCode, error.code]).toEqual([400, 'LimitExceeded']);
    expect(error.message).toMatch(
      /^The number of models you are trying to upload exceeds the supported limit of 250\. Try breaking up the upload in smaller batches\./,
    );
    await client.createModels(models.slice(0, 250));
    expect(await collect(client.listModels())).toHaveLength(250);
  });

  test('a 767-model ontology, shuffled, uploads in dependency-ordered calls of at most 250', async () => {
    const ontology = shuffled(syntheticOntology(767));
    const batches = planModelUpload(ontology);
    expect(batches.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(250);
    for (const batch of batches) await client.createModels(batch);
    expect(await collect(client.listModels())).toHaveLength(767);
    // The same models in file order (not dependency order) are refused: the plan is what makes it work.
    await emulator.reset();
    const naive = shuffled(syntheticOntology(767)).slice(0, 250);
    const error = (await client.createModels(naive).catch((e: unknown) => e)) as RestError;
    expect([error.statusCode, error.code]).toEqual([400, 'DTDLParserError']);
  });

  test('twins, relationships, patches, telemetry and queries keep the 32 KB request limit: 413 PayloadTooLarge', async () => {
    const model = {
      '@id': 'dtmi:test:T;1',
      '@type': 'Interface',
      '@context': 'dtmi:dtdl:context;2',
      contents: [
        { '@type': 'Property', name: 'note', schema: 'string' },
        { '@type': 'Relationship', name: 'next', properties: [{ '@type': 'Property', name: 'note', schema: 'string' }] },
      ],
    };
    await client.createModels([model]);
    await client.upsertDigitalTwin('t1', JSON.stringify({ $metadata: { $model: 'dtmi:test:T;1' } }));
    await client.upsertDigitalTwin('t2', JSON.stringify({ $metadata: { $model: 'dtmi:test:T;1' } }));
    const big = 'x'.repeat(33 * 1024);
    const requests: Array<[string, string, unknown, Record<string, string>?]> = [
      ['PUT', '/digitaltwins/t3', { $metadata: { $model: 'dtmi:test:T;1' }, note: big }],
      ['PATCH', '/digitaltwins/t1', [{ op: 'add', path: '/note', value: big }], { 'content-type': 'application/json-patch+json' }],
      ['PUT', '/digitaltwins/t1/relationships/r1', { $targetId: 't2', $relationshipName: 'next', note: big }],
      ['POST', '/digitaltwins/t1/telemetry', { note: big }, { 'message-id': 'm1' }],
      ['POST', '/query', { query: `SELECT * FROM DIGITALTWINS WHERE note = '${big}'` }],
    ];
    for (const [method, path, body, headers] of requests) {
      const res = await rawRequest(emulator, method, `${path}?api-version=2022-05-31`, { body, ...(headers ? { headers } : {}) });
      expect({ method, path, status: res.status, body: res.json }).toEqual({
        method,
        path,
        status: 413,
        body: { error: { code: 'PayloadTooLarge', message: 'The request payload exceeds the maximum size of 32768 bytes.' } },
      });
    }
    // Just under the limit the same relationship is accepted (the 4 KB string limit aside).
    const ok = await rawRequest(emulator, 'PUT', '/digitaltwins/t1/relationships/r1?api-version=2022-05-31', {
      body: { $targetId: 't2', $relationshipName: 'next', note: 'x'.repeat(4000) },
    });
    expect(ok.status).toBe(200);
  });
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}
