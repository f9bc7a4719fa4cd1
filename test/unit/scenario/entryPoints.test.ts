// The runner, the mapping preview and reconcile all load scenarios through the checked path: a
// roll-up typo stops each of them before anything runs, with the rule named.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { main as mapMain } from '../../../local/map/cli';
import { ScenarioPreviewer } from '../../../local/map/preview';
import { scaffoldScenario } from '../../../local/newScenario/scaffold';
import { runReconcileCli } from '../../../local/reconcile/cli';
import { runScenario } from '../../../local/runner/runScenario';
import { loadScenario, readTelemetryFile } from '../../../local/scenario';
import { ConfigError } from '../../../shared/config';
import { FileDeadLetterSink } from '../../../shared/deadLetter';
import { reconcileGraph } from '../../../shared/rollup';
import { pipelineRollups } from '../../../shared/worker';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const typo = 'Roll-up rule "room-temperature": relationship "hasSensors" is not a relationship of dtmi:example:site:Room;1';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function brokenScenario(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'entry-')), 'site');
  scaffoldScenario(dir);
  const pipeline = join(dir, 'pipeline.yaml');
  writeFileSync(pipeline, readFileSync(pipeline, 'utf8').replace('relationships: [hasSensor]', 'relationships: [hasSensors]'));
  return dir;
}

it('npm run local refuses the scenario before starting anything', async () => {
  const run = runScenario({ scenario: brokenScenario(), hookFunctionsCore: false });
  await expect(run).rejects.toBeInstanceOf(ConfigError);
  await expect(run).rejects.toThrow(typo);
});

it('npm run map refuses it', async () => {
  const dir = brokenScenario();
  await expect(mapMain(['--scenario', dir, '--message', join(dir, 'telemetry.ndjson')])).rejects.toThrow(typo);
});

it('npm run reconcile refuses it', async () => {
  await expect(
    runReconcileCli(
      { help: false, quiet: true, scenario: brokenScenario(), deadLetters: mkdtempSync(join(tmpdir(), 'entry-dl-')) },
      () => undefined,
    ),
  ).rejects.toThrow(typo);
});

it('reconcile with --config <other file> checks that file against the scenario models too', async () => {
  const dir = brokenScenario();
  const models = [
    JSON.parse(readFileSync(join(dir, 'models', 'Room.json'), 'utf8')),
    JSON.parse(readFileSync(join(dir, 'models', 'TemperatureSensor.json'), 'utf8')),
  ] as Record<string, unknown>[];
  // No ADT call happens before the check: a client that is never used.
  const client = {} as Parameters<typeof reconcileGraph>[0]['client'];
  // Loading the rules with the models is where the misfit is found, with its line.
  const reconcile = async () =>
    reconcileGraph({
      client,
      ...pipelineRollups(join(dir, 'pipeline.yaml'), models),
      models,
      deadLetters: new FileDeadLetterSink(mkdtempSync(join(tmpdir(), 'entry-dl-'))),
    });
  await expect(reconcile()).rejects.toThrow(new RegExp(`${escapeRegExp(join(dir, 'pipeline.yaml'))}:\\d+:\\d+: ${escapeRegExp(typo)}`));
});

it('npm run map previews the scaffolded telemetry as its README says', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'entry-')), 'site');
  scaffoldScenario(dir);
  const previewer = new ScenarioPreviewer(loadScenario(dir));
  for (const envelope of readTelemetryFile(join(dir, 'telemetry.ndjson'))) await previewer.preview(envelope);
  expect(previewer.twin('sensor-1')).toMatchObject({ temperature: 21.5 });
  expect(previewer.twin('sensor-2')).toMatchObject({ temperature: 23.5 });
  expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(
    'npm run map -- --scenario <this folder> --message <this folder>/telemetry.ndjson',
  );
});
