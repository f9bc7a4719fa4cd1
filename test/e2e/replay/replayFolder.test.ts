// Dead-letter replay against a folder store and the in-process emulator: the first attempt is the real
// ingest function with a configuration mistake, the replay runs the command in-process with the fix.

import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { rawEventOf } from '../../../local/replay/rawEvent';
import { type DeadLetterDocument, FileDeadLetterSink, FileDeadLetterStore } from '../../../shared/deadLetter';
import { decodeEvent } from '../../../shared/ingest';
import { at, enqueued, rangeConfig, reading, type ReplayWorld, startReplayWorld } from './world';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

let world: ReplayWorld;
let folders = 0;
let tooStrict: string;
let fixed: string;

beforeAll(async () => {
  world = await startReplayWorld(['room-1', 'room-2', 'room-3', 'room-4']);
  tooStrict = await world.writeConfig('too-strict', rangeConfig(30));
  // The fix: the range was wrong; readings above 50 are noise and are dropped (filtered), not refused.
  fixed = await world.writeConfig('fixed', rangeConfig(50, 'drop'));
});

afterAll(async () => {
  await world?.close();
});

async function freshFolder(): Promise<string> {
  folders += 1;
  const folder = join(world.directory, `dead-letters-${folders}`);
  await mkdir(folder, { recursive: true });
  return folder;
}

async function document(folder: string, name: string): Promise<DeadLetterDocument> {
  return JSON.parse(await readFile(join(folder, name), 'utf8')) as DeadLetterDocument;
}

it('replays with the fixed configuration: the twin gets the value, applied and filtered documents are gone, a still-bad one stays with its history', async () => {
  const folder = await freshFolder();
  await world.ingest(
    tooStrict,
    new FileDeadLetterSink(folder),
    enqueued(10, [
      reading('room-1', { temp: 35, ts: at(1) }),
      reading('room-2', { temp: 99, ts: at(2) }),
      reading('room-3', undefined, { bodyBase64: Buffer.from('{"temp": 21,').toString('base64') }),
    ]),
  );
  const first = await document(folder, '1/12.json');
  expect([(await document(folder, '1/10.json')).reason, (await document(folder, '1/11.json')).reason, first.reason]).toEqual([
    'out-of-range',
    'out-of-range',
    'invalid-json',
  ]);
  expect(await world.temperature('room-1')).toBeUndefined();

  const run = await world.replay(['--from', folder, '--config', fixed]);

  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/^Replayed {6}applied 1, filtered 1 \(out-of-range 1\), dead-lettered again 1 \(invalid-json 1\), failed 0$/m);
  expect(run.stdout).toMatch(/^Store {9}removed 2, rewritten with history 1$/m);
  expect(await world.temperature('room-1')).toBe(35);
  const twin = (await world.admin.getDigitalTwin('room-1')).body as { $metadata: { temperature: { sourceTime?: string } } };
  expect(twin.$metadata.temperature.sourceTime).toBe(at(1));
  expect(await world.temperature('room-2')).toBeUndefined();
  expect([existsSync(join(folder, '1/10.json')), existsSync(join(folder, '1/11.json'))]).toEqual([false, false]);

  const again = await document(folder, '1/12.json');
  expect(again).toMatchObject({
    reason: 'invalid-json',
    body: first.body,
    properties: first.properties,
    systemProperties: first.systemProperties,
    sequenceNumber: 12,
    partitionId: '1',
  });
  expect(again.replays).toEqual([{ at: first.deadLetteredAt, reason: 'invalid-json', detail: first.detail }]);
  expect(Date.parse(again.deadLetteredAt)).toBeGreaterThanOrEqual(Date.parse(first.deadLetteredAt));

  // Every failed replay adds one entry, oldest first.
  const second = await world.replay(['--from', folder, '--config', fixed]);
  expect(second.code).toBe(0);
  const twice = await document(folder, '1/12.json');
  expect(twice.replays?.map((r) => r.at)).toEqual([first.deadLetteredAt, again.deadLetteredAt]);
});

it('--reason replays only documents with those codes (repeatable, comma list) and leaves the others byte for byte', async () => {
  const folder = await freshFolder();
  await world.ingest(
    tooStrict,
    new FileDeadLetterSink(folder),
    enqueued(20, [
      reading('room-2', { temp: 41, ts: at(3) }),
      reading('room-9', { temp: 20, ts: at(4) }), // no such twin
      reading('room-3', undefined, { bodyBase64: Buffer.from('not json').toString('base64') }),
    ]),
  );
  const unknownTwin = await readFile(join(folder, '1/21.json'), 'utf8');
  const invalidJson = await readFile(join(folder, '1/22.json'), 'utf8');
  expect((JSON.parse(unknownTwin) as DeadLetterDocument).reason).toBe('unknown-twin');

  const run = await world.replay(['--from', folder, '--config', fixed, '--reason', 'out-of-range']);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^Dead letters {2}.*: 3 found, 1 with reason out-of-range$/m);
  expect(await world.temperature('room-2')).toBe(41);
  expect(existsSync(join(folder, '1/20.json'))).toBe(false);
  expect(await readFile(join(folder, '1/21.json'), 'utf8')).toBe(unknownTwin);
  expect(await readFile(join(folder, '1/22.json'), 'utf8')).toBe(invalidJson);

  const both = await world.replay([
    '--from',
    folder,
    '--config',
    fixed,
    '--reason',
    'unknown-twin,no-such-code',
    '--reason',
    'invalid-json',
  ]);
  expect(both.stdout).toMatch(/: 2 found, 2 with reason unknown-twin or no-such-code or invalid-json$/m);
  expect(both.stdout).toMatch(/dead-lettered again 2 \(invalid-json 1, unknown-twin 1\)/);
});

it('--dry-run reports what would happen and writes nothing to ADT or the folder', async () => {
  const folder = await freshFolder();
  await world.ingest(
    tooStrict,
    new FileDeadLetterSink(folder),
    enqueued(30, [
      reading('room-4', { temp: 44, ts: at(5) }),
      reading('room-4', { temp: 77, ts: at(6) }),
      reading('room-3', undefined, { bodyBase64: Buffer.from('[1, 2]').toString('base64') }),
      reading('room-99', { temp: 20, ts: at(6) }), // no such twin: the planner reads each twin's model, so this is foreseen
    ]),
  );
  const names = ['1/30.json', '1/31.json', '1/32.json', '1/33.json'];
  const before = await Promise.all(names.map((name) => readFile(join(folder, name), 'utf8')));
  world.emulator.resetCounters();

  const run = await world.replay(['--from', folder, '--config', fixed, '--dry-run']);

  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(
    /^Dry run {7}would apply 1, filter 1 \(out-of-range 1\), dead-letter again 2 \(body-not-object 1, unknown-twin 1\)$/m,
  );
  expect(await Promise.all(names.map((name) => readFile(join(folder, name), 'utf8')))).toEqual(before);
  expect(await world.temperature('room-4')).toBeUndefined();
  const { operations } = world.emulator.counters();
  const writes = Object.entries(operations).filter(
    ([op, counts]) => !op.endsWith('.read') && op !== 'query' && (counts?.requests ?? 0) > 0,
  );
  expect(writes).toEqual([]);

  // The plan is what a real replay then does.
  const real = await world.replay(['--from', folder, '--config', fixed]);
  expect(real.stdout).toMatch(/applied 1, filtered 1 \(out-of-range 1\), dead-lettered again 2 \(body-not-object 1, unknown-twin 1\)/);
  expect(await world.temperature('room-4')).toBe(44);
});

it('--json lists every document with its previous reason and its outcome', async () => {
  const folder = await freshFolder();
  await world.ingest(tooStrict, new FileDeadLetterSink(folder), enqueued(40, [reading('room-1', { temp: 36, ts: at(7) })]), '3');
  const run = await world.replay(['--from', folder, '--config', fixed, '--json']);
  const report = JSON.parse(run.stdout) as { results: unknown[]; found: number };
  expect(report.found).toBe(1);
  expect(report.results).toEqual([
    { name: '3/40.json', previousReason: 'out-of-range', outcome: { kind: 'applied', reasons: [], removed: true } },
  ]);
});

it('rebuilds each event faithfully: the same body bytes, properties, system properties, enqueued time and position', async () => {
  const folder = await freshFolder();
  const notUtf8 = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
  await world.ingest(
    tooStrict,
    new FileDeadLetterSink(folder),
    enqueued(50, [
      reading('room-3', undefined, {
        bodyBase64: notUtf8.toString('base64'),
        properties: { unit: 'C', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
        messageId: 'm-50',
      }),
      reading('room-3', undefined, {
        bodyBase64: Buffer.from('{"temp": 99, "ts": "nope"').toString('base64'),
        systemProperties: { 'content-type': 'application/json' },
      }),
    ]),
    '2',
  );
  const stored = await new FileDeadLetterStore(folder).read('2/50.json');
  expect(stored.document.body).toEqual({ encoding: 'base64', value: notUtf8.toString('base64') });
  const event = rawEventOf(stored.document, 0);
  expect(event.body).toEqual(notUtf8);
  expect(event).toMatchObject({
    sequenceNumber: 50,
    offset: '5000',
    enqueuedTimeUtc: '2024-07-01T08:05:00.000Z',
    properties: stored.document.properties,
    systemProperties: stored.document.systemProperties,
  });
  expect(stored.document.properties).toMatchObject({ unit: 'C' });
  // Decoding the rebuilt event reaches the same verdict and the same identities as the first attempt.
  const again = decodeEvent(event);
  expect(again.ok ? 'decoded' : { reason: again.reason, messageId: again.messageId, deviceId: again.deviceId }).toEqual({
    reason: stored.document.reason,
    messageId: 'm-50',
    deviceId: 'room-3',
  });
  const text = await new FileDeadLetterStore(folder).read('2/51.json');
  expect(rawEventOf(text.document, 1).body).toEqual(Buffer.from('{"temp": 99, "ts": "nope"'));
});

it('a broken configuration stops the replay with every problem listed, before any document is touched', async () => {
  const folder = await freshFolder();
  await world.ingest(tooStrict, new FileDeadLetterSink(folder), enqueued(60, [reading('room-1', { temp: 45, ts: at(9) })]));
  const before = await readFile(join(folder, '1/60.json'), 'utf8');
  const broken = await world.writeConfig('broken', {
    ingest: { twinId: '{tenant}', rules: [{ name: 'r', properties: [{ target: 'temperature', transform: { scale: 'x' } }] }] },
  } as never);
  const run = await world.replay(['--from', folder, '--config', broken]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/Pipeline configuration .*broken\.json is invalid/);
  expect(run.stderr).toMatch(/transform\.scale/);
  expect(await readFile(join(folder, '1/60.json'), 'utf8')).toBe(before);
});

it('a folder that does not exist is named in the error, with where dead letters are written', async () => {
  const run = await world.replay(['--from', 'no-such-folder', '--config', fixed]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(
    /^replay-dead-letters: Dead-letter folder \/.*\/no-such-folder does not exist; pass the folder the runner or DEAD_LETTER_DIRECTORY wrote to\.$/m,
  );
});
