// When a replay cannot finish: ADT unavailable past the deadline stops the run with every document
// untouched; a document that fails its batch does not hold back the others; a broken document is
// reported and left where it is.

import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { stubCredential, TrustingHttpClient } from '../../../local/emulator/trust';
import { replayDeadLetters } from '../../../local/replay/replay';
import { type AdtPort, createAdtClient, SdkAdtPort } from '../../../shared/adt';
import { loadPipelineConfigFile } from '../../../shared/config';
import { FileDeadLetterSink, FileDeadLetterStore } from '../../../shared/deadLetter';
import { settings } from '../../../shared/settings';
import { at, enqueued, rangeConfig, reading, type ReplayWorld, startReplayWorld } from './world';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

let world: ReplayWorld;
let tooStrict: string;
let fixed: string;
let folders = 0;

beforeAll(async () => {
  world = await startReplayWorld(['room-1', 'room-2', 'room-3', 'room-poison']);
  tooStrict = await world.writeConfig('too-strict', rangeConfig(30));
  fixed = await world.writeConfig('fixed', rangeConfig(50));
});

afterAll(async () => {
  await world?.close();
});

beforeEach(() => world.emulator.faults.reset());

async function deadLettersOf(envelopes: Parameters<typeof enqueued>[1], first: number): Promise<string> {
  folders += 1;
  const folder = join(world.directory, `failures-${folders}`);
  await mkdir(folder, { recursive: true });
  await world.ingest(tooStrict, new FileDeadLetterSink(folder), enqueued(first, envelopes));
  return folder;
}

it('stops when ADT stays unavailable past the deadline: exit 1, nothing removed, the rest not examined', async () => {
  const folder = await deadLettersOf(
    [reading('room-1', { temp: 31, ts: at(1) }), reading('room-2', { temp: 32, ts: at(2) }), reading('room-3', { temp: 33, ts: at(3) })],
    50,
  );
  const names = ['1/50.json', '1/51.json', '1/52.json'];
  const before = await Promise.all(names.map((name) => readFile(join(folder, name), 'utf8')));
  world.emulator.faults.update({ errorRate: 1, errorStatuses: [503] });

  const run = await world.replay(['--from', folder, '--config', fixed, '--batch-size', '1'], {
    [settings.ingestDeadlineSeconds.name]: '1',
  });

  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/^Replayed {6}applied 0, filtered 0, dead-lettered again 0, failed 1$/m);
  expect(run.stdout).toMatch(/^Stopped {7}ADT stayed unavailable: .*2 document\(s\) were not examined; run the replay again later\.$/m);
  expect(await Promise.all(names.map((name) => readFile(join(folder, name), 'utf8')))).toEqual(before);
});

it('a document that fails its batch is replayed alone, so the others of the batch still apply and are removed', async () => {
  const folder = await deadLettersOf(
    [
      reading('room-1', { temp: 34, ts: at(4) }),
      reading('room-poison', { temp: 35, ts: at(5) }),
      reading('room-2', { temp: 36, ts: at(6) }),
    ],
    60,
  );
  const emulatorHttp = new TrustingHttpClient(world.emulator.ca);
  const real = new SdkAdtPort(createAdtClient({ url: world.emulator.url, credential: stubCredential, httpClient: emulatorHttp }));
  // A failure that is not an ADT answer (as a bug or an unsafe header value would throw) on one twin.
  const port: AdtPort = new Proxy(real, {
    get(target, property, receiver) {
      if (property === 'updateTwin') {
        return (twinId: string, ...rest: Parameters<AdtPort['updateTwin']> extends [string, ...infer R] ? R : never) =>
          twinId === 'room-poison'
            ? Promise.reject(new TypeError('Invalid character in header content'))
            : target.updateTwin(twinId, ...rest);
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  try {
    const report = await replayDeadLetters({
      store: new FileDeadLetterStore(folder),
      worker: { env: {}, config: loadPipelineConfigFile(fixed), port },
    });
    expect(report.results.map((r) => [r.name, r.outcome.kind])).toEqual([
      ['1/60.json', 'applied'],
      ['1/61.json', expect.stringMatching(/^(failed|dead-lettered)$/)],
      ['1/62.json', 'applied'],
    ]);
  } finally {
    emulatorHttp.destroy();
  }
  expect([await world.temperature('room-1'), await world.temperature('room-2')]).toEqual([34, 36]);
  expect([existsSync(join(folder, '1/60.json')), existsSync(join(folder, '1/61.json')), existsSync(join(folder, '1/62.json'))]).toEqual([
    false,
    true,
    false,
  ]);
});

it('an unreadable document is listed, left as it is, and makes the exit code 1; the readable ones are replayed', async () => {
  const folder = await deadLettersOf([reading('room-3', { temp: 37, ts: at(7) })], 70);
  await writeFile(join(folder, '1', '71.json'), '{"schema": "adt-ingest-dead-letter/1", "reason": "invalid-json", "body": ', 'utf8');
  await writeFile(join(folder, '1', '72.json'), '{"schema": "something-else/2"}', 'utf8');

  const run = await world.replay(['--from', folder, '--config', fixed]);

  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/^Dead letters {2}.*: 3 found, 2 unreadable$/m);
  expect(run.stdout).toMatch(/^Unreadable {4}1\/71\.json: not JSON \(.*\); fix or remove the file\.$/m);
  expect(run.stdout).toMatch(/^Unreadable {4}1\/72\.json: schema is "something-else\/2", expected "adt-ingest-dead-letter\/1"\.$/m);
  expect(await world.temperature('room-3')).toBe(37);
  expect([existsSync(join(folder, '1/70.json')), existsSync(join(folder, '1/71.json')), existsSync(join(folder, '1/72.json'))]).toEqual([
    false,
    true,
    true,
  ]);
});

it('a folder document the pipeline rewrote after it was read is neither removed nor overwritten', async () => {
  const folder = await deadLettersOf([reading('room-1', { temp: 38, ts: at(8) })], 80);
  const store = new FileDeadLetterStore(folder);
  const stored = await store.read('1/80.json');
  await new FileDeadLetterSink(folder).write('1/80.json', { ...stored.document, detail: 'written again by a redelivered batch' });
  expect(await store.remove(stored)).toBe(false);
  expect(await store.rewrite(stored, { ...stored.document, reason: 'replayed' })).toBe(false);
  expect(JSON.parse(await readFile(join(folder, '1/80.json'), 'utf8'))).toMatchObject({
    reason: 'out-of-range',
    detail: 'written again by a redelivered batch',
  });
  expect(await store.list()).toEqual(['1/80.json']);
  await expect(store.read('../outside.json')).rejects.toThrow(/escapes/);
});
