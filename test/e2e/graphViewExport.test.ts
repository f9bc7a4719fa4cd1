// --graph through the runner: the final state as one self-contained HTML page (every twin, the dead
// letters with their reasons, the counters), and as Mermaid text for a tiny scenario, exactly.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadScenario } from '../../local/scenario';
import { buildingScenario, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

it('writes the final state of the sample building as one page that needs no network', async () => {
  const out = join(tempDir('graph-export'), 'nested', 'building.html');
  const deadLetters = tempDir('graph-export-dl');
  const result = await runLocal({
    telemetry: join(buildingScenario, 'bad-telemetry.ndjson'),
    graph: out,
    deadLetterDirectory: deadLetters,
  });
  const html = readFileSync(out, 'utf8');
  // No script or stylesheet from anywhere: the library is inlined.
  expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=["']?(https?:)?\/\//i);
  expect(html).not.toMatch(/<script[^>]+src=/i);
  const data = JSON.parse(/<script type="application\/json" id="graph-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? 'null') as {
    mode: string;
    graph: { twins: Array<{ id: string }>; relationships: unknown[] };
    deadLetters: Array<{ reason: string }>;
    counters: { stats: { deadLettered: number; applied: number } };
  };
  expect(data.mode).toBe('export');
  expect(data.graph.twins.map((t) => t.id)).toEqual(
    loadScenario(buildingScenario)
      .graph.twins.map((t) => t.$dtId)
      .sort(),
  );
  for (const twin of data.graph.twins) expect(html).toContain(twin.id);
  expect(data.graph.relationships).toHaveLength(loadScenario(buildingScenario).graph.relationships.length);
  expect(result.summary.stats.deadLettered).toBeGreaterThan(0);
  expect(data.deadLetters).toHaveLength(result.summary.stats.deadLettered);
  expect(data.deadLetters.every((d) => d.reason.length > 0)).toBe(true);
  expect(data.counters.stats.applied).toBe(result.summary.stats.applied);
}, 90_000);

it('--graph-format mermaid writes the text of a tiny scenario exactly', async () => {
  const dir = tempDir('graph-tiny');
  mkdirSync(join(dir, 'models'));
  for (const model of ['Device', 'Room', 'Thermostat'])
    copyFileSync(join(buildingScenario, 'models', `${model}.json`), join(dir, 'models', `${model}.json`));
  writeFileSync(
    join(dir, 'graph.ndjson'),
    [
      { Section: 'Header' },
      { fileVersion: '1.0.0', author: 'test', organization: 'test' },
      { Section: 'Twins' },
      { $dtId: 'room-1', $metadata: { $model: 'dtmi:example:building:Room;1' }, name: 'Room 1' },
      { $dtId: 'thermostat-1', $metadata: { $model: 'dtmi:example:building:Thermostat;1' } },
      { Section: 'Relationships' },
      { $dtId: 'room-1', $relationshipId: 'hasDevice-thermostat-1', $targetId: 'thermostat-1', $relationshipName: 'hasDevice' },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n'),
  );
  writeFileSync(
    join(dir, 'pipeline.yaml'),
    [
      'rollups:',
      '  rules:',
      '    - name: room-climate',
      '      parentModel: dtmi:example:building:Room;1',
      '      relationships: [hasDevice]',
      '      childModel: dtmi:example:building:Thermostat;1',
      '      properties:',
      '        temperature: { aggregate: avg, of: temperature }',
      'ingest:',
      '  twinId: "{deviceId}"',
      '  rules:',
      '    - name: thermostat',
      '      match: { deviceId: "thermostat-*" }',
      '      properties:',
      '        - target: temperature',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'telemetry.ndjson'),
    `${JSON.stringify({ deviceId: 'thermostat-1', enqueuedTime: '2024-05-01T08:00:00.000Z', messageId: 'm1', body: { temperature: 21.5 } })}\n`,
  );
  const out = join(dir, 'graph.mmd');
  const result = await runLocal({ scenario: dir, graph: out, graphFormat: 'mermaid' });
  expect(result.summary.exitCode).toBe(0);
  expect(readFileSync(out, 'utf8')).toBe(
    [
      'flowchart TD',
      '  n1["room-1 (Room)<br/>name: Room 1<br/>temperature: 21.5 [room-climate]"]',
      '  n2["thermostat-1 (Thermostat)<br/>temperature: 21.5"]',
      '  n1 -->|hasDevice| n2',
      '  classDef m1 fill:#f28e2b,stroke:#333,color:#fff',
      '  class n1 m1',
      '  classDef m2 fill:#59a14f,stroke:#333,color:#fff',
      '  class n2 m2',
      '',
    ].join('\n'),
  );
}, 90_000);
