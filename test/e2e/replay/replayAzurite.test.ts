// Dead-letter replay from a Blob Storage container (Azurite on a free port), as the deployed function
// writes it: by connection string flag or the DeadLetterStorage setting; documents are removed or
// rewritten only while they are still the version the replay read (ETag).

import { BlobServiceClient } from '@azure/storage-blob';

import { BlobDeadLetterSink, BlobDeadLetterStore, type DeadLetterDocument } from '../../../shared/deadLetter';
import { settings } from '../../../shared/settings';
import { type AzuriteBlob, startAzuriteBlob } from '../../support/azurite';
import { at, enqueued, rangeConfig, reading, type ReplayWorld, startReplayWorld } from './world';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

let world: ReplayWorld;
let azurite: AzuriteBlob;
let tooStrict: string;
let fixed: string;
let containers = 0;

beforeAll(async () => {
  [world, azurite] = await Promise.all([startReplayWorld(['room-1', 'room-2']), startAzuriteBlob()]);
  tooStrict = await world.writeConfig('too-strict', rangeConfig(30));
  fixed = await world.writeConfig('fixed', rangeConfig(50));
});

afterAll(async () => {
  await Promise.all([world?.close(), azurite?.stop()]);
});

function newContainer(): { name: string; sink: BlobDeadLetterSink } {
  containers += 1;
  const name = `replay-${containers}`;
  return { name, sink: new BlobDeadLetterSink({ connectionString: azurite.connectionString }, name) };
}

async function blobs(container: string): Promise<Record<string, DeadLetterDocument>> {
  const client = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(container);
  const found: Record<string, DeadLetterDocument> = {};
  for await (const blob of client.listBlobsFlat())
    found[blob.name] = JSON.parse((await client.getBlobClient(blob.name).downloadToBuffer()).toString('utf8')) as DeadLetterDocument;
  return found;
}

it('replays a container given by --connection-string: the applied blob is deleted, the refused one rewritten with its history', async () => {
  const { name, sink } = newContainer();
  await world.ingest(
    tooStrict,
    sink,
    enqueued(5, [reading('room-1', { temp: 42, ts: at(1) }), reading('room-2', { temp: 80, ts: at(2) })]),
    '0',
  );
  const before = await blobs(name);
  expect(Object.keys(before)).toEqual(['0/5.json', '0/6.json']);

  const run = await world.replay(['--from', `blob:${name}`, '--connection-string', azurite.connectionString, '--config', fixed]);

  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/^Dead letters {2}http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1 container replay-\d+: 2 found$/m);
  expect(run.stdout).toMatch(/applied 1, filtered 0, dead-lettered again 1 \(out-of-range 1\)/);
  expect(await world.temperature('room-1')).toBe(42);
  const after = await blobs(name);
  expect(Object.keys(after)).toEqual(['0/6.json']);
  expect(after['0/6.json']).toMatchObject({
    reason: 'out-of-range',
    body: before['0/6.json']?.body,
    replays: [{ at: before['0/6.json']?.deadLetteredAt, reason: 'out-of-range' }],
  });
});

it('takes the account from the DeadLetterStorage setting when no flag names it', async () => {
  const { name, sink } = newContainer();
  await world.ingest(tooStrict, sink, enqueued(7, [reading('room-2', { temp: 45, ts: at(3) })]), '0');
  const run = await world.replay(['--from', `blob:${name}`, '--config', fixed], {
    [settings.deadLetterStorage.name]: azurite.connectionString,
  });
  expect(run.code).toBe(0);
  expect(await blobs(name)).toEqual({});
  expect(await world.temperature('room-2')).toBe(45);
});

it('a missing container is an error that names it; a blob container without an account is a usage error', async () => {
  const missing = await world.replay([
    '--from',
    'blob:no-such-container',
    '--connection-string',
    azurite.connectionString,
    '--config',
    fixed,
  ]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/container no-such-container does not exist; check the container name/);
  const noAccount = await world.replay(['--from', 'blob:dead-letters', '--config', fixed]);
  expect(noAccount.code).toBe(2);
  expect(noAccount.stderr).toMatch(/needs the storage account: pass --connection-string, set DeadLetterStorage/);
  expect(noAccount.stderr).toContain('Usage: npm run replay-dead-letters');
});

it('leaves a blob alone when the pipeline rewrote it after the replay read it (If-Match on the ETag)', async () => {
  const { name, sink } = newContainer();
  await world.ingest(tooStrict, sink, enqueued(9, [reading('room-1', { temp: 33, ts: at(4) })]), '2');
  const store = new BlobDeadLetterStore({ connectionString: azurite.connectionString }, name);
  const stored = await store.read('2/9.json');
  const newer = { ...stored.document, detail: 'written again by a redelivered batch' };
  await sink.write('2/9.json', newer);

  expect(await store.remove(stored)).toBe(false);
  expect(await store.rewrite(stored, { ...stored.document, reason: 'replayed' })).toBe(false);
  expect((await blobs(name))['2/9.json']?.detail).toBe('written again by a redelivered batch');

  const current = await store.read('2/9.json');
  expect(await store.remove(current)).toBe(true);
  expect(await blobs(name)).toEqual({});
});
