// The real command: `npm run replay-dead-letters` builds the app and runs the compiled CLI in a child
// process, against an emulator this test starts; and the progress bar a terminal shows.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { runReplayCli } from '../../../local/replay/runReplay';
import { FileDeadLetterSink } from '../../../shared/deadLetter';
import { at, enqueued, rangeConfig, reading, type ReplayWorld, startReplayWorld } from './world';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

const repoRoot = join(__dirname, '..', '..', '..');
let world: ReplayWorld;

beforeAll(async () => {
  world = await startReplayWorld(['room-1', 'room-2']);
});

afterAll(async () => {
  await world?.close();
});

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Asynchronous: the emulator the child talks to runs in this process's event loop.
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, FORCE_COLOR: '0', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

it('npm run replay-dead-letters: a bad flag exits 2 with the usage; a real replay from a folder relative to where it was typed exits 0', async () => {
  const bad = spawnSync('npm', ['run', '--silent', 'replay-dead-letters', '--', '--from', 'dl', '--frm', 'x'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/^Unknown option '--frm'/);
  expect(bad.stderr).toContain('Usage: npm run replay-dead-letters -- --from <folder');

  const folder = join(world.directory, 'typed-here', 'dl');
  await mkdir(folder, { recursive: true });
  await world.ingest(
    await world.writeConfig('strict', rangeConfig(30)),
    new FileDeadLetterSink(folder),
    enqueued(1, [reading('room-1', { temp: 39, ts: at(1) })]),
    '0',
  );
  const fixed = await world.writeConfig('fixed', rangeConfig(50));
  // npm runs scripts from the package root and says where the user was in INIT_CWD.
  const good = await run(
    process.execPath,
    [
      join(repoRoot, 'dist', 'local', 'replay', 'cli.js'),
      '--from',
      'dl',
      '--adt-url',
      world.emulator.url,
      '--emulator-ca',
      world.caPath,
      '--config',
      fixed,
    ],
    {
      INIT_CWD: join(world.directory, 'typed-here'),
    },
  );
  // stderr is a pipe here, not a terminal: progress comes as plain percentage lines.
  expect({ status: good.status, stderr: good.stderr }).toEqual({
    status: 0,
    stderr: 'Replaying 100% (1/1 dead letters) | applied 1, filtered 0, again 0, failed 0\n',
  });
  expect(good.stdout).toMatch(/^Replayed {6}applied 1, filtered 0, dead-lettered again 0, failed 0$/m);
  expect(existsSync(join(folder, '0', '1.json'))).toBe(false);
  expect(await world.temperature('room-1')).toBe(39);
}, 300_000);

it('shows a progress bar on a terminal, and none with --quiet', async () => {
  const folder = join(world.directory, 'progress');
  await world.ingest(
    await world.writeConfig('strict', rangeConfig(30)),
    new FileDeadLetterSink(folder),
    enqueued(1, [reading('room-2', { temp: 31, ts: at(2) }), reading('room-2', { temp: 32, ts: at(3) })]),
    '0',
  );
  const terminal = (): { stream: Writable & { isTTY: boolean; columns: number }; text: () => string } => {
    let text = '';
    const stream = Object.assign(new Writable({ write: (chunk: Buffer, _e, done) => ((text += chunk.toString()), done()) }), {
      isTTY: true,
      columns: 160,
    });
    return { stream, text: () => text };
  };
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const argv = [
    '--from',
    folder,
    '--adt-url',
    world.emulator.url,
    '--emulator-ca',
    world.caPath,
    '--config',
    await world.writeConfig('fixed', rangeConfig(50)),
    '--dry-run',
  ];
  const shown = terminal();
  expect(await runReplayCli(argv, { env: {}, cwd: world.directory, stdout: sink, stderr: shown.stream })).toBe(0);
  expect(shown.text()).toMatch(/Planning \|[█░]+\| 100% \| 2\/2 dead letters \| would apply 2, filter 0, dead-letter 0/);
  const quiet = terminal();
  expect(await runReplayCli([...argv, '--quiet'], { env: {}, cwd: world.directory, stdout: sink, stderr: quiet.stream })).toBe(0);
  expect(quiet.text()).toBe('');
});
