// Flags of `npm run replay-dead-letters`: every documented form, and the errors that explain a mistake.
import { parseReplayArgs, parseSource } from '../../../local/replay/replayArgs';
import { storeFor } from '../../../local/replay/setup';
import { BlobDeadLetterStore, FileDeadLetterStore } from '../../../shared/deadLetter';
import { settings } from '../../../shared/settings';

it('reads a folder, the defaults and every flag', () => {
  expect(parseReplayArgs(['--from', '.local/dead-letters'])).toEqual({
    help: false,
    source: { kind: 'folder', directory: '.local/dead-letters' },
    reasons: [],
    dryRun: false,
    batchSize: 100,
    quiet: false,
    json: false,
  });
  expect(
    parseReplayArgs([
      '--from',
      'dl',
      '--reason',
      'unknown-twin,out-of-range',
      '--reason',
      'invalid-json',
      '--reason',
      'out-of-range',
      '--dry-run',
      '--adt-url',
      'https://x.api.weu.digitaltwins.azure.net',
      '--emulator-ca',
      'ca.pem',
      '--config',
      'p.yaml',
      '--batch-size',
      '7',
      '--quiet',
      '--json',
    ]),
  ).toEqual({
    help: false,
    source: { kind: 'folder', directory: 'dl' },
    reasons: ['unknown-twin', 'out-of-range', 'invalid-json'],
    dryRun: true,
    adtUrl: 'https://x.api.weu.digitaltwins.azure.net',
    emulatorCa: 'ca.pem',
    config: 'p.yaml',
    batchSize: 7,
    quiet: true,
    json: true,
  });
});

it('tells a blob container by blob:<name> (with or without a connection string) or by its URL (DefaultAzureCredential)', () => {
  expect(parseSource('blob:dead-letters', undefined)).toEqual({ kind: 'blob', container: 'dead-letters' });
  expect(parseSource('blob:dead-letters', 'UseDevelopmentStorage=true')).toEqual({
    kind: 'blob',
    container: 'dead-letters',
    connectionString: 'UseDevelopmentStorage=true',
  });
  expect(parseSource('https://acct.blob.core.windows.net/dead-letters', undefined)).toEqual({
    kind: 'blob-url',
    blobServiceUri: 'https://acct.blob.core.windows.net',
    container: 'dead-letters',
  });
  expect(parseSource('http://127.0.0.1:10000/devstoreaccount1/dead-letters/', undefined)).toEqual({
    kind: 'blob-url',
    blobServiceUri: 'http://127.0.0.1:10000/devstoreaccount1',
    container: 'dead-letters',
  });
});

it.each([
  [[], /--from is required/],
  [['--from'], /argument missing/],
  [['--from', 'dl', '--bogus'], /Unknown option '--bogus'/],
  [['dl'], /Unexpected argument "dl".*did you mean --from dl/],
  [['--from', 'dl', '--batch-size', '0'], /--batch-size must be a positive integer \(got "0"\)/],
  [['--from', 'dl', '--reason', 'Unknown Twin'], /--reason "Unknown Twin" is not a reason code/],
  [['--from', 'blob:Dead_Letters'], /"Dead_Letters" is not a valid container name/],
  [['--from', 'https://acct.blob.core.windows.net/'], /the URL must end with the container/],
  [
    ['--from', 'https://acct.blob.core.windows.net/dl1', '--connection-string', 'x'],
    /--connection-string goes with --from blob:<container>/,
  ],
  [['--from', 'dl', '--connection-string', 'x'], /not with a folder/],
])('refuses %j', (argv, message) => {
  expect(() => parseReplayArgs(argv as string[])).toThrow(message);
});

it('--help needs no --from', () => {
  expect(parseReplayArgs(['--help']).help).toBe(true);
});

it('reaches a container URL with DefaultAzureCredential, and blob:<name> through the settings the function app uses', () => {
  const byUrl = storeFor({ kind: 'blob-url', blobServiceUri: 'https://acct.blob.core.windows.net', container: 'dead-letters' }, {}, '/');
  expect([byUrl instanceof BlobDeadLetterStore, byUrl.target]).toEqual([
    true,
    'https://acct.blob.core.windows.net/ container dead-letters',
  ]);
  const byIdentity = storeFor(
    { kind: 'blob', container: 'dl-2' },
    { [settings.deadLetterBlobServiceUri.name]: 'https://other.blob.core.windows.net' },
    '/',
  );
  expect(byIdentity.target).toBe('https://other.blob.core.windows.net/ container dl-2');
  expect(storeFor({ kind: 'folder', directory: 'dl' }, {}, '/work/x')).toMatchObject({ target: '/work/x/dl' });
  expect(storeFor({ kind: 'folder', directory: 'dl' }, {}, '/work/x')).toBeInstanceOf(FileDeadLetterStore);
});
