// The real command: `npm run explore -- --adt-url <emulator> --ca <cert.pem>` prints the page's URL,
// serves the page and the read-only proxy there (a write is refused with 403), and Ctrl+C ends it
// with 0; `npm run explore -- --allow-writes` explores the local loop and takes a write; --help
// answers, a bad flag stops it with 2. Compiled on its own (a private build, so a
// concurrent `npm run build` cannot hand it half-written files) and run as a child process.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { startEmulator } from '../../local/emulator';
import type { EmulatorHandle } from '../../local/emulator/server';
import { privateBuild, removeBuild } from '../support/privateBuild';
import { buildingScenario, repoRoot, tempDir } from './support/runLocal';

let outDir: string;
let cli: string;

beforeAll(() => {
  outDir = privateBuild('explore-cli');
  cli = join(outDir, 'local', 'explore', 'cli.js');
}, 300_000);

afterAll(() => removeBuild(outDir));

it('--help prints the usage; a bad flag stops with 2 and says why', () => {
  const help = spawnSync(process.execPath, [cli, '--help'], { cwd: repoRoot, encoding: 'utf8' });
  expect(help.status).toBe(0);
  expect(help.stdout).toMatch(/^Usage: npm run explore -- \[flags\]/);
  const bad = spawnSync(process.execPath, [cli, '--adt-url', 'http://127.0.0.1:1'], { cwd: repoRoot, encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/^--adt-url must be an https URL/);
}, 60_000);

/** Starts the command; resolves with the URL it prints and what it printed after it. */
function startExplore(args: string[], cwd = repoRoot) {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const url = new Promise<{ url: string; line: string }>((done, fail) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /^Explorer: (http:\/\/127\.0\.0\.1:\d+) .*$/m.exec(stderr);
      if (match?.[1]) done({ url: match[1], line: match[0] });
    });
    void exited.then((code) => fail(new Error(`npm run explore exited (${code}) before printing its URL:\n${stderr}`)));
  });
  return { child, url, exited, stdout: () => stdout };
}

it("explores the local loop by default; with --allow-writes a patch goes through, and Ctrl+C prints the run's summary", async () => {
  // From a folder of its own: the loop's dead letters go under <working directory>/.local/dead-letters.
  const run = startExplore(['--allow-writes'], tempDir('explore-cli-cwd'));
  try {
    const { url, line } = await run.url;
    expect(line).toBe(`Explorer: ${url} (the local loop's embedded emulator, writes allowed); Ctrl+C to stop.`);
    const patch = await fetch(`${url}/adt/digitaltwins/room-101`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '[{"op":"add","path":"/name","value":"Explored"}]',
    });
    expect(patch.status).toBe(200);
    const query = await fetch(`${url}/adt/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: "SELECT * FROM digitaltwins WHERE $dtId = 'room-101'" }),
    });
    expect(((await query.json()) as { rows: Array<{ name: string }> }).rows.map((r) => r.name)).toEqual(['Explored']);
  } finally {
    run.child.kill('SIGINT');
  }
  expect(await run.exited).toBe(0);
  expect(run.stdout()).toMatch(/^Messages {5}in 300, applied 300/m);
}, 180_000);

it('explores an emulator by URL with its CA trusted, read-only, until Ctrl+C', async () => {
  const certDir = tempDir('explore-cli-cert');
  const emulator: EmulatorHandle = await startEmulator({ scenarioDir: buildingScenario, certDir });
  const run = startExplore(['--adt-url', emulator.url, '--ca', join(certDir, 'cert.pem')]);
  try {
    const { url, line } = await run.url;
    expect(line).toBe(`Explorer: ${url} (${emulator.url} (emulator), read-only; --allow-writes to edit); Ctrl+C to stop.`);
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain(`<title>ADT explorer: ${new URL(emulator.url).host}</title>`);
    const query = await fetch(`${url}/adt/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: "SELECT * FROM digitaltwins WHERE $dtId = 'room-101'" }),
    });
    expect(((await query.json()) as { rows: Array<{ $dtId: string }> }).rows.map((r) => r.$dtId)).toEqual(['room-101']);
    const patch = await fetch(`${url}/adt/digitaltwins/room-101`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '[{"op":"add","path":"/name","value":"x"}]',
    });
    expect(patch.status).toBe(403);
    expect((emulator.store.twins.get('room-101') as Record<string, unknown>).name).toBe('Room 101');
  } finally {
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    await emulator.close();
  }
}, 120_000);
