// What the emulator loads at start (--scenario, --models, --import) and how it reports failures:
// file, line, twin id and model id with ADT's detail, never a bare "Invalid twin specified".
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { planModelUpload } from '../../../local/emulator/models/uploadPlan';
import { startEmulator } from '../../../local/emulator/server';
import { createTestClient, rawRequest } from '../../support/emulatorClient';
import { shuffled, syntheticOntology } from './syntheticOntology';

jest.setTimeout(120_000);

const BUILDING = join(__dirname, '..', '..', '..', 'local', 'scenarios', 'building');
const tempDir = (name: string): string => mkdtempSync(join(tmpdir(), `emulator-${name}-`));

async function startError(options: Parameters<typeof startEmulator>[0]): Promise<string> {
  const outcome = await startEmulator(options).then(
    async (emulator) => {
      await emulator.close();
      return 'started';
    },
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  return outcome;
}

describe('emulator start-up loading', () => {
  test('scenarioDir uploads models/ and imports graph.ndjson; the twins are there through the SDK', async () => {
    const emulator = await startEmulator({ port: 0, scenarioDir: BUILDING });
    try {
      expect(emulator.loaded.models).toEqual({ dir: join(BUILDING, 'models'), uploaded: 7, present: 0, calls: 1 });
      expect(emulator.loaded.imports).toEqual([{ file: join(BUILDING, 'graph.ndjson'), models: 0, twins: 46, relationships: 45 }]);
      const twin = await createTestClient(emulator).getDigitalTwin('floor-1');
      expect(twin.body.$metadata.$model).toBe('dtmi:example:building:Floor;1');
    } finally {
      await emulator.close();
    }
  });

  test('modelsDir reads nested folders and uploads more than 250 models in dependency-ordered calls', async () => {
    const dir = tempDir('models');
    shuffled(syntheticOntology(300)).forEach((model, i) => {
      const folder = join(dir, `group${i % 3}`, `sub${i % 2}`);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, `m${i}.json`), JSON.stringify(model));
    });
    const emulator = await startEmulator({ port: 0, modelsDir: dir });
    try {
      expect(emulator.loaded.models).toMatchObject({ uploaded: 300, calls: 2 });
      expect(emulator.models.list()).toHaveLength(300);
    } finally {
      await emulator.close();
    }
  });

  test("an import file's Models section may hold more than the API's 250 models (import jobs allow 10,000)", async () => {
    const models = planModelUpload(shuffled(syntheticOntology(300))).flat();
    const file = join(tempDir('import'), 'ontology.ndjson');
    writeFileSync(file, [{ Section: 'Header' }, { Section: 'Models' }, ...models].map((l) => JSON.stringify(l)).join('\n'));
    const emulator = await startEmulator({ port: 0, importFile: file });
    try {
      expect(emulator.loaded.imports).toEqual([{ file, models: 300, twins: 0, relationships: 0 }]);
    } finally {
      await emulator.close();
    }
  });

  test('models restored from persistFile are not uploaded again', async () => {
    const persistFile = join(tempDir('persist'), 'state.json');
    const first = await startEmulator({ port: 0, modelsDir: join(BUILDING, 'models'), persistFile });
    await first.close();
    const second = await startEmulator({ port: 0, modelsDir: join(BUILDING, 'models'), persistFile });
    try {
      expect(second.loaded.models).toMatchObject({ uploaded: 0, present: 7, calls: 0 });
    } finally {
      await second.close();
    }
  });

  test('an import without its models names the file, line, twin, model and the real cause', async () => {
    const file = join(BUILDING, 'graph.ndjson');
    expect(await startError({ port: 0, importFile: file })).toBe(
      `${file} line 4, twin 'building-hq' (model dtmi:example:building:Building;1): Invalid twin specified ` +
        '(dtmi:example:building:Building;1 or one of its dependencies does not exist.). ' +
        'Upload the models first: --models <dir>, --scenario <dir>, or a Models section in the file.',
    );
  });

  test("a bad relationship line names the relationship and ADT's reason", async () => {
    const dir = tempDir('scenario');
    mkdirSync(join(dir, 'models'));
    writeFileSync(
      join(dir, 'models', 'room.json'),
      JSON.stringify({ '@id': 'dtmi:t:Room;1', '@type': 'Interface', '@context': 'dtmi:dtdl:context;2' }),
    );
    const lines = [
      { Section: 'Header' },
      { Section: 'Twins' },
      { $dtId: 'r1', $metadata: { $model: 'dtmi:t:Room;1' } },
      { Section: 'Relationships' },
      { $dtId: 'r1', $relationshipId: 'x', $targetId: 'nope', $relationshipName: 'next' },
    ];
    writeFileSync(join(dir, 'graph.ndjson'), lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(await startError({ port: 0, scenarioDir: dir })).toMatch(
      new RegExp(
        `^${escape(join(dir, 'graph.ndjson'))} line 5, relationship 'x' r1 -\\[next\\]-> nope: The target digital twin is invalid or does not exist`,
      ),
    );
  });

  test('a model the DTDL parser refuses names its file', async () => {
    const dir = tempDir('badmodel');
    writeFileSync(
      join(dir, 'good.json'),
      JSON.stringify({ '@id': 'dtmi:t:Good;1', '@type': 'Interface', '@context': 'dtmi:dtdl:context;2' }),
    );
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ '@id': 'dtmi:t:Bad;1', '@type': 'Interface', '@context': 'dtmi:dtdl:context;2', extends: 'dtmi:t:Missing;1' }),
    );
    const message = await startError({ port: 0, modelsDir: dir });
    expect(message).toMatch(
      new RegExp(`^Uploading models from ${escape(dir)} failed at ${escape(join(dir, 'bad.json'))} \\(dtmi:t:Bad;1\\): DTDLParserError: `),
    );
  });

  test('missing folders and broken JSON are explained', async () => {
    expect(await startError({ port: 0, scenarioDir: '/nonexistent/scenario' })).toMatch(
      /^Scenario folder \/nonexistent\/scenario does not exist\./,
    );
    expect(await startError({ port: 0, modelsDir: '/nonexistent/models' })).toMatch(/^Model folder \/nonexistent\/models does not exist\./);
    const dir = tempDir('broken');
    writeFileSync(join(dir, 'x.json'), '{"@id": ');
    expect(await startError({ port: 0, modelsDir: dir })).toMatch(new RegExp(`^${escape(join(dir, 'x.json'))}: not valid JSON`));
    expect(await startError({ port: 0, modelsDir: join(BUILDING, 'models'), scenarioDir: BUILDING })).toMatch(/Pass one of them\.$/);
  });
});

describe('CORS', () => {
  test('a preflight is answered without auth; responses carry the origin and expose ETag', async () => {
    const emulator = await startEmulator({ port: 0, scenarioDir: BUILDING });
    try {
      const origin = 'http://localhost:3000';
      const preflight = await rawRequest(emulator, 'OPTIONS', '/digitaltwins/floor-1', {
        auth: false,
        headers: {
          origin,
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'authorization,content-type,if-match',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers).toMatchObject({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, PUT, POST, PATCH, DELETE, OPTIONS',
        'access-control-allow-headers': 'authorization,content-type,if-match',
      });
      const get = await rawRequest(emulator, 'GET', '/digitaltwins/floor-1?api-version=2022-05-31', { headers: { origin } });
      expect(get.status).toBe(200);
      expect(get.headers['access-control-allow-origin']).toBe(origin);
      expect(String(get.headers['access-control-expose-headers'])).toContain('ETag');
      // Without Origin (the SDK in Node) nothing changes, and OPTIONS without a preflight header is not CORS.
      expect(
        (await rawRequest(emulator, 'GET', '/digitaltwins/floor-1?api-version=2022-05-31')).headers['access-control-allow-origin'],
      ).toBeUndefined();
      expect((await rawRequest(emulator, 'OPTIONS', '/digitaltwins/floor-1', { headers: { origin } })).status).toBe(404);
    } finally {
      await emulator.close();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
