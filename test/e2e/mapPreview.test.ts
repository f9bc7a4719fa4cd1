// `npm run map` previews exactly what the pipeline writes: over the sample building's telemetry the
// previewed device twins end with the values `npm run local` leaves in the emulator, and a bad message
// shows its refusal with the reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describePreview, parseMapArgs } from '../../local/map/cli';
import { ScenarioPreviewer } from '../../local/map/preview';
import { parseEnvelopes } from '../../local/runner/envelope';
import type { RunResult } from '../../local/runner/runScenario';
import { loadScenario } from '../../local/scenario';
import { buildingScenario, runLocal } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const telemetryPath = join(buildingScenario, 'telemetry.ndjson');
const envelopes = parseEnvelopes(readFileSync(telemetryPath, 'utf8'), telemetryPath);
let result: RunResult;

beforeAll(async () => {
  result = await runLocal();
}, 120_000);

it('ends every previewed twin property where npm run local leaves it', async () => {
  const previewer = new ScenarioPreviewer(loadScenario(buildingScenario));
  const written = new Map<string, Set<string>>();
  for (const envelope of [...envelopes].sort((a, b) => a.enqueuedTime.localeCompare(b.enqueuedTime))) {
    const preview = await previewer.preview(envelope);
    for (const twin of preview.twins) {
      for (const op of twin.patch)
        if (!op.path.includes('$metadata'))
          (written.get(twin.twinId) ?? written.set(twin.twinId, new Set()).get(twin.twinId))?.add(op.path.slice(1));
    }
  }
  expect(written.size).toBeGreaterThan(20);
  for (const [twinId, properties] of written) {
    const local = result.dump.twins.find((t) => t.$dtId === twinId) as Record<string, unknown>;
    const previewed = previewer.twin(twinId) as unknown as Record<string, unknown>;
    for (const property of properties) expect([twinId, property, previewed[property]]).toEqual([twinId, property, local[property]]);
  }
});

it('shows a refused value with its reason and writes nothing for it', async () => {
  const previewer = new ScenarioPreviewer(loadScenario(buildingScenario));
  const preview = await previewer.preview({
    deviceId: 'thermostat-101',
    enqueuedTime: '2024-05-01T09:00:00Z',
    body: { temperature: 'warm', setpoint: 99 },
  });
  const text = describePreview(preview, 0);
  expect(preview.deadLettered.map((r) => r.reason)).toEqual(expect.arrayContaining(['transform-failed']));
  expect(text).toContain('dead-lettered (');
  expect(preview.twins.flatMap((t) => t.patch).some((op) => op.path === '/temperature')).toBe(false);
});

it('removes a __proto__ key and says so, as the function does (issue 24.1)', async () => {
  const previewer = new ScenarioPreviewer(loadScenario(buildingScenario));
  const body = JSON.parse('{"__proto__": {"temperature": 99, "setpoint": 99}, "constructor": {"temperature": 98}}') as Record<
    string,
    unknown
  >;
  const preview = await previewer.preview({ deviceId: 'thermostat-101', enqueuedTime: '2024-05-01T09:00:00Z', body });
  expect(preview.filtered.map((f) => f.reason)).toContain('prototype-key');
  expect(describePreview(preview, 0)).toContain('filtered (prototype-key)');
  expect(preview.twins.flatMap((t) => t.patch).filter((op) => op.value === 99 || op.value === 98)).toEqual([]);
});

it('refuses unknown flags and requires a message', () => {
  expect(parseMapArgs(['--nope'])).toEqual({ error: 'Unknown flag --nope.' });
  expect(parseMapArgs([])).toEqual({ error: '--message is required (a file, or - for standard input).' });
  expect(parseMapArgs(['--help'])).toEqual({ help: true });
});

it('finds no rule typo in the shipped scenarios', () => {
  for (const dir of [buildingScenario, join(buildingScenario, '..', 'rec-building')])
    expect([dir, new ScenarioPreviewer(loadScenario(dir)).problems]).toEqual([dir, []]);
});
