// The real command: `npm run local -- --follow` prints the graph page's URL when the run starts (not
// at exit), the page answers there while the loop runs, and Ctrl+C still ends the run normally.
// It runs the compiled runner (node dist/…) so the signal reaches it; it compiles first when dist/ is
// older than the sources.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { repoRoot, tempDir } from './support/runLocal';

const compiled = join(repoRoot, 'dist', 'local', 'runner', 'cli.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  const sources = Math.max(...['functions', 'shared', 'local'].map((d) => newestSource(join(repoRoot, d))));
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= sources) return;
  const build = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
}, 180_000);

it('prints the live graph URL at start and serves the page until Ctrl+C', async () => {
  const child = spawn(
    process.execPath,
    [compiled, '--follow', '--ingress-port', '0', '--quiet', '--dead-letters', tempDir('graph-cli-dl')],
    {
      cwd: repoRoot,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  try {
    const url = await new Promise<string>((done, fail) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        const match = /^Twin graph \(live\): (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stderr);
        if (match?.[1]) done(match[1]);
      });
      void exited.then((code) => fail(new Error(`npm run local exited (${code}) before printing the graph URL:\n${stderr}`)));
    });
    // Printed at start: the run is still going (no summary yet) and the page is there.
    expect(stdout).toBe('');
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Twin graph: building</title>');
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
  expect(stdout).toMatch(/^Messages {5}in 300, applied 300/m);
}, 120_000);
