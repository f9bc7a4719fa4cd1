// docs/LOCAL.md's command ("ADT emulator"), as written: `npm run emulator -- --scenario local/scenarios/building` (plus
// --port 0 so the test never needs a fixed port). Spawned, read until the URL and CA lines appear, then
// driven through the SDK with only what it printed, then stopped with SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createEmulatorClient } from '../../../local/emulator/trust';

const repoRoot = join(__dirname, '..', '..', '..');
jest.setTimeout(240_000);

interface Started {
  child: ChildProcess;
  output: () => string;
  /** npm's exit code once every process holding its output pipe (npm, sh, node) has ended. */
  closed: Promise<number | null>;
}

function run(args: string[]): Started {
  // Own process group, so stopping npm also stops the node process it started.
  const child = spawn('npm', ['run', '--silent', 'emulator', '--', ...args], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => text, closed };
}

async function waitFor(started: Started, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(started.output());
    if (match) return match;
    if (started.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${String(pattern)} in output:\n${started.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stop(started: Started): void {
  // The whole group, as Ctrl+C in a terminal does: npm and its shell die of the signal, the emulator closes.
  if (started.child.pid !== undefined) {
    try {
      process.kill(-started.child.pid, 'SIGTERM');
    } catch {
      // The group is already gone.
    }
  }
}

test('npm run emulator -- --scenario local/scenarios/building: prints URL and CA, serves the twins, stops cleanly on SIGTERM', async () => {
  const certDir = mkdtempSync(join(tmpdir(), 'emulator-cli-cert-'));
  const started = run(['--port', '0', '--cert-dir', certDir, '--scenario', 'local/scenarios/building']);
  try {
    const [, url] = await waitFor(started, /^ADT emulator listening on (https:\/\/127\.0\.0\.1:\d+)$/m, 180_000);
    const [, caFile] = await waitFor(started, /^CA certificate: (.+)$/m, 10_000);
    await waitFor(started, /^Imported local\/scenarios\/building\/graph\.ndjson: 0 models, 46 twins, 45 relationships$/m, 10_000);
    expect(started.output()).toMatch(/^Models: 7 uploaded from local\/scenarios\/building\/models in 1 call\(s\), 0 already present$/m);
    expect(caFile).toBe(join(certDir, 'cert.pem'));
    const { client, httpClient } = createEmulatorClient({ url: url as string, ca: readFileSync(caFile as string, 'utf8') });
    try {
      const rooms: unknown[] = [];
      for await (const row of client.queryTwins("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:example:building:Room;1')"))
        rooms.push(row);
      expect(rooms).toHaveLength(12);
    } finally {
      httpClient.destroy();
    }
  } finally {
    stop(started);
  }
  await started.closed;
  expect(started.output()).toMatch(/^ADT emulator stopped\.$/m);
});

test('a start-up failure exits 1 with the reason on stderr', async () => {
  const started = run([
    '--port',
    '0',
    '--cert-dir',
    mkdtempSync(join(tmpdir(), 'emulator-cli-cert-')),
    '--import',
    'local/scenarios/building/graph.ndjson',
  ]);
  try {
    expect(await started.closed).toBe(1);
    expect(started.output()).toMatch(
      /^ADT emulator failed to start: local\/scenarios\/building\/graph\.ndjson line 4, twin 'building-hq' .* does not exist.*Upload the models first/m,
    );
  } finally {
    stop(started);
  }
});
