// `npm run replay-dead-letters` reports progress in percent of the dead letters examined, also when
// its output is not a terminal (CI logs): one line per step, ending at 100%.
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { runReplayCli } from '../../../local/replay/runReplay';
import { FileDeadLetterSink } from '../../../shared/deadLetter';
import { at, enqueued, rangeConfig, reading, type ReplayWorld, startReplayWorld } from './world';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

let world: ReplayWorld;

beforeAll(async () => {
  world = await startReplayWorld(['room-1']);
});

afterAll(async () => {
  await world?.close();
});

it('prints the percentage replayed after each batch when stderr is not a terminal', async () => {
  const folder = join(world.directory, 'percent');
  const readings = [1, 2, 3, 4].map((s) => reading('room-1', { temp: 30 + s, ts: at(s) }));
  await world.ingest(await world.writeConfig('strict', rangeConfig(30)), new FileDeadLetterSink(folder), enqueued(1, readings), '0');
  let progress = '';
  const stderr = new Writable({ write: (chunk: Buffer, _e, done) => ((progress += chunk.toString()), done()) });
  const stdout = new Writable({ write: (_c, _e, done) => done() });
  const argv = [
    '--from',
    folder,
    '--adt-url',
    world.emulator.url,
    '--emulator-ca',
    world.caPath,
    '--config',
    await world.writeConfig('fixed', rangeConfig(50)),
    '--batch-size',
    '1',
  ];
  expect(await runReplayCli(argv, { env: {}, cwd: world.directory, stdout, stderr })).toBe(0);
  expect(progress.trimEnd().split('\n')).toEqual([
    'Replaying 25% (1/4 dead letters) | applied 1, filtered 0, again 0, failed 0',
    'Replaying 50% (2/4 dead letters) | applied 2, filtered 0, again 0, failed 0',
    'Replaying 75% (3/4 dead letters) | applied 3, filtered 0, again 0, failed 0',
    'Replaying 100% (4/4 dead letters) | applied 4, filtered 0, again 0, failed 0',
  ]);
  expect(await world.temperature('room-1')).toBe(34);
});
