// Day one: `npm run new-scenario -- <dir>` scaffolds a scenario that `npm run local` runs as it is
// (final twin values asserted), refuses to overwrite, and a scenario without a pipeline file runs
// on the documented defaults (twin id = device id, body fields the model declares are patched).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { newScenarioCommand } from '../../local/newScenario/cli';
import { scaffoldScenario } from '../../local/newScenario/scaffold';
import type { GraphDump } from '../../local/runner/snapshot';
import { repoRoot, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const run = (args: string[]) =>
  spawnSync('npm', ['run', '--silent', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
function captured(command: () => number): { status: number; stderr: string } {
  let stderr = '';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { status: command(), stderr };
  } finally {
    spy.mockRestore();
  }
}

const twinIn = (dump: GraphDump, id: string): Record<string, unknown> => {
  const found = dump.twins.find((t) => t.$dtId === id);
  if (!found) throw new Error(`twin ${id} missing from the dump`);
  return found;
};

it('npm run new-scenario scaffolds a scenario that npm run local runs to the documented values', () => {
  const dir = join(tempDir('new-scenario'), 'my-site');
  const created = run(['new-scenario', '--', dir]);
  expect({ status: created.status, stderr: created.stderr }).toEqual({ status: 0, stderr: '' });
  for (const file of [
    'models/Room.json',
    'models/TemperatureSensor.json',
    'graph.ndjson',
    'pipeline.yaml',
    'telemetry.ndjson',
    'README.md',
  ]) {
    expect([file, existsSync(join(dir, file))]).toEqual([file, true]);
  }
  expect(created.stdout).toContain(`npm run local -- --scenario ${dir}`);
  expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/what to edit/);

  const dump = join(tempDir('new-scenario-dump'), 'out.json');
  // `npm run new-scenario` just built dist/, so the runner starts from it rather than building again.
  const local = spawnSync(
    process.execPath,
    ['dist/local/runner/cli.js', '--scenario', dir, '--quiet', '--dead-letters', tempDir('new-scenario-dl'), '--dump', dump],
    { cwd: repoRoot, encoding: 'utf8', timeout: 240_000, env: { ...process.env, FORCE_COLOR: '0' } },
  );
  expect({ status: local.status, stderr: local.status === 0 ? '' : local.stderr }).toEqual({ status: 0, stderr: '' });
  expect(local.stdout).toMatch(/^Messages {5}in 4, applied 4, filtered 0, dead-lettered 0$/m);
  expect(local.stdout).toMatch(/^room-1 \(Room\) maxTemperature=23\.5 name="Room 1" sensors=2 temperature=22\.5$/m);
  const graph = JSON.parse(readFileSync(dump, 'utf8')) as GraphDump;
  // The values its README promises: avg and max of the sensors' last readings, and their count.
  expect(twinIn(graph, 'room-1')).toMatchObject({ temperature: 22.5, maxTemperature: 23.5, sensors: 2 });
  expect(twinIn(graph, 'sensor-1')).toMatchObject({ temperature: 21.5 });
  expect(twinIn(graph, 'sensor-2')).toMatchObject({ temperature: 23.5 });
}, 400_000);

it('refuses to write into a folder that is not empty, and leaves it as it was', () => {
  const dir = join(tempDir('new-scenario-twice'), 'site');
  scaffoldScenario(dir);
  const before = readFileSync(join(dir, 'pipeline.yaml'), 'utf8');
  const again = captured(() => newScenarioCommand([dir]));
  expect(again.status).toBe(1);
  expect(again.stderr).toBe(
    `new-scenario: ${dir} already exists and is not empty; nothing was written. Pick a new folder name (npm run new-scenario -- <new dir>).\n`,
  );
  expect(readFileSync(join(dir, 'pipeline.yaml'), 'utf8')).toBe(before);
  expect(() => scaffoldScenario(dir)).toThrow(/already exists and is not empty/);
});

it('without a folder name it says what to type (exit 2)', () => {
  const none = captured(() => newScenarioCommand([]));
  expect(none.status).toBe(2);
  expect(none.stderr).toContain('Name the folder to create: npm run new-scenario -- <dir>');
});

it('a scenario without a pipeline file runs on the documented defaults', async () => {
  const dir = join(tempDir('no-pipeline'), 'site');
  scaffoldScenario(dir);
  rmSync(join(dir, 'pipeline.yaml'));
  const result = await runLocal({ scenario: dir });
  expect(result.summary.exitCode).toBe(0);
  expect(result.summary.stats.applied).toBe(4);
  // Defaults: twin id = device id, the body's modelled properties patched, no roll-ups.
  expect(twinIn(result.dump, 'sensor-1')).toMatchObject({ temperature: 21.5 });
  expect(twinIn(result.dump, 'sensor-2')).toMatchObject({ temperature: 23.5 });
  expect(twinIn(result.dump, 'room-1')).not.toHaveProperty('temperature');
}, 120_000);
