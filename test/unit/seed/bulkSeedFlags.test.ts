// `npm run seed` bulk flags (local/seed/cli.ts), the portfolio generator and the emulator's job flags.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseSeedBenchArgs } from '../../../bench/seedBench';
import { stubCredential, TrustingHttpClient } from '../../../local/emulator';
import { parseCliArgs } from '../../../local/emulator/cliArgs';
import { checkJobLimits } from '../../../local/emulator/importJob';
import { generateIdentity } from '../../../local/emulator/tls';
import { loadScenario } from '../../../local/scenario';
import { logErrors, parseImportLog } from '../../../local/seed/bulkSeed';
import { accessFor, parseSeedArgs } from '../../../local/seed/cli';
import { importNdjsonChunks, toImportNdjson } from '../../../local/seed/importNdjson';
import { generatePortfolio, PORTFOLIO_MODEL_IDS } from '../../../local/seed/portfolio';
import { bulkGraph } from '../../../local/seed/run';

describe('npm run seed --bulk flags', () => {
  it('takes the bulk path with its storage, containers, job id and wait', () => {
    const options = parseSeedArgs([
      '--adt-url',
      'https://dt.api.weu.digitaltwins.azure.net',
      '--bulk',
      '--storage',
      'https://st.blob.core.windows.net',
      '--container',
      'in',
      '--log-container',
      'out',
      '--job-id',
      'j1',
      '--wait-minutes',
      '5',
    ]);
    expect(options.bulk).toEqual({
      storage: 'https://st.blob.core.windows.net',
      container: 'in',
      logContainer: 'out',
      jobId: 'j1',
      wait: { timeoutMs: 300_000 },
    });
  });

  it('--portfolio implies --bulk and needs --storage', () => {
    expect(parseSeedArgs(['--portfolio', '200', '--storage', 'UseDevelopmentStorage=true']).bulk).toMatchObject({
      portfolio: 200,
      storage: 'UseDevelopmentStorage=true',
      wait: { timeoutMs: 120 * 60_000 },
    });
    expect(() => parseSeedArgs(['--portfolio', '200'])).toThrow(/--bulk needs --storage/);
    expect(() => parseSeedArgs(['--portfolio', '0', '--storage', 'x'])).toThrow(/--portfolio must be a whole number of at least 1/);
    expect(() => parseSeedArgs(['--portfolio', '2.5', '--storage', 'x'])).toThrow(/--portfolio/);
  });

  it('refuses bulk-only flags without --bulk instead of ignoring them', () => {
    expect(() => parseSeedArgs(['--storage', 'x'])).toThrow(/--storage only apply to a bulk seed/);
    expect(parseSeedArgs(['--adt-url', 'https://x']).bulk).toBeUndefined();
  });

  it('names the emulator certificate for an offline run, and then trusts it and sends the stub token', async () => {
    expect(parseSeedArgs(['--adt-url', 'https://127.0.0.1:4443', '--emulator-ca', '/tmp/ca.pem']).emulatorCa).toBe('/tmp/ca.pem');
    const dir = mkdtempSync(join(tmpdir(), 'seed-ca-'));
    const { cert } = await generateIdentity();
    writeFileSync(join(dir, 'ca.pem'), cert);
    const access = accessFor({ ...parseSeedArgs(['--emulator-ca', join(dir, 'ca.pem')]), adtUrl: 'https://127.0.0.1:4443/' });
    expect(access).toMatchObject({ url: 'https://127.0.0.1:4443', kind: 'emulator', credential: stubCredential });
    expect(access.httpClient).toBeInstanceOf(TrustingHttpClient);
    access.httpClient?.destroy?.();
    expect(accessFor({ ...parseSeedArgs([]), adtUrl: 'https://dt.api.weu.digitaltwins.azure.net' }).kind).toBe('azure');
  });
});

describe('portfolio generator', () => {
  it('makes exactly the asked number of twins: buildings → 10 floors → 10 rooms → 3 sensors, each child related to its parent', () => {
    const graph = generatePortfolio(1000);
    expect(graph.twins).toHaveLength(1000);
    // 411 twins per building (1 + 10 + 100 + 300): two whole buildings and part of a third.
    const byModel = (model: string): number => graph.twins.filter((t) => t.$metadata.$model === model).length;
    expect(byModel('dtmi:example:building:Building;1')).toBe(3);
    expect(byModel('dtmi:example:building:Floor;1')).toBe(10 + 10 + 5);
    expect(graph.relationships).toHaveLength(1000 - 3);
    const ids = new Set(graph.twins.map((t) => t.$dtId));
    expect(ids.size).toBe(1000);
    for (const rel of graph.relationships) expect(ids.has(rel.$dtId) && ids.has(rel.$targetId)).toBe(true);
    expect(graph.twins[3]).toEqual({
      $dtId: 'b1-f1-r1-thermostat',
      $metadata: { $model: 'dtmi:example:building:Thermostat;1' },
      temperature: expect.any(Number),
      targetTemperature: 21,
      online: true,
    });
    expect(generatePortfolio(1000)).toEqual(graph);
    expect(() => generatePortfolio(0)).toThrow(/at least 1/);
  });

  it('uses only models the building scenario has, and refuses a scenario without them', () => {
    const building = loadScenario('local/scenarios/building');
    const ids = new Set(building.models.map((m) => String(m['@id'])));
    for (const id of PORTFOLIO_MODEL_IDS) expect(ids.has(id)).toBe(true);
    expect(bulkGraph(building, 10).twins).toHaveLength(10);
    expect(bulkGraph(building, undefined).twins).toBe(building.graph.twins);
    expect(() => bulkGraph({ ...building, models: [] }, 10)).toThrow(/lacks dtmi:example:building:Building;1/);
  });

  it('writes the import file in ADT order, leaving out empty sections', () => {
    const text = toImportNdjson({ models: [], twins: generatePortfolio(2).twins, relationships: generatePortfolio(2).relationships });
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['Section'] ?? l['$dtId'] ?? 'header')).toEqual([
      'Header',
      'header',
      'Twins',
      'b1',
      'b1-f1',
      'Relationships',
      'b1',
    ]);
  });

  it('streams the same file in bounded chunks (the upload never holds the whole file)', () => {
    const graph = { models: [], ...generatePortfolio(2000) };
    const chunks = [...importNdjsonChunks(graph, 16 * 1024)];
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeLessThan(16 * 1024 + 1024);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(toImportNdjson(graph));
  });
});

describe('job log reading', () => {
  it('shows every error line, whatever its details hold, and an unparsable line as an error', () => {
    const log = parseImportLog(
      [
        '{"timestamp":"t","jobId":"j","jobType":"Import","logType":"Info","details":{"status":"Started"}}',
        '{"logType":"Error","details":{"code":"ValidationFailed","message":"line 4: bad twin"}}',
        '{"logType":"Error","details":{"section":"Twins","reason":"other shape"}}',
        'not json',
      ].join('\n'),
    );
    expect(logErrors(log)).toEqual(['ValidationFailed: line 4: bad twin', '{"section":"Twins","reason":"other shape"}', 'not json']);
  });
});

describe('emulator and bench job flags', () => {
  it('gives the emulator its storage and the notification choice', () => {
    expect(parseCliArgs(['--storage', 'UseDevelopmentStorage=true', '--job-notifications', 'none']).emulator.jobs).toEqual({
      storageConnectionString: 'UseDevelopmentStorage=true',
      notifications: 'none',
    });
    expect(() => parseCliArgs(['--job-notifications', 'some'])).toThrow(/lifecycle or none/);
  });

  it('reads npm run bench -- seed flags', () => {
    expect(parseSeedBenchArgs([])).toEqual({ twins: 100_000, json: false });
    expect(parseSeedBenchArgs(['--twins', '200', '--json'])).toEqual({ twins: 200, json: true });
    expect(parseSeedBenchArgs(['--twins', 'x'])).toHaveProperty('error');
  });
});

describe('import job limits', () => {
  it('refuses a job over 10,000 models, 2,000,000 twins or 10,000,000 relationships before applying a line', () => {
    const sized = (n: number): readonly unknown[] => ({ length: n }) as unknown as readonly unknown[];
    expect(() =>
      checkJobLimits(
        new Map([
          ['Twins', sized(2_000_000)],
          ['Models', sized(10_000)],
          ['Relationships', sized(10_000_000)],
        ]),
        'f',
      ),
    ).not.toThrow();
    expect(() => checkJobLimits(new Map([['Twins', sized(2_000_001)]]), 'f')).toThrow(
      expect.objectContaining({ status: 400, code: 'LimitExceeded', message: expect.stringContaining('at most 2000000') }),
    );
    expect(() => checkJobLimits(new Map([['Models', sized(10_001)]]), 'f')).toThrow(expect.objectContaining({ code: 'LimitExceeded' }));
    expect(() => checkJobLimits(new Map([['Relationships', sized(10_000_001)]]), 'f')).toThrow(
      expect.objectContaining({ code: 'LimitExceeded' }),
    );
  });
});
