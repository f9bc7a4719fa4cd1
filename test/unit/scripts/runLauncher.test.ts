// scripts/run.mjs, the launcher every `npm run <command>` goes through: it builds only when a source
// is newer than the last successful build, so a command on an up-to-date build spawns no tsc at all
// (`npm run local -- --help` then answers at once instead of after 6–8 s of tsc). Checked on a small
// project whose "tsc" only records that it ran, so the test proves whether a build was spawned.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');
const launcher = join(root, 'scripts', 'run.mjs');

// The fake compiler: one line per call in tsc-calls.log, src/*.ts copied to dist/src/*.js (the
// sources are plain JavaScript), exit 1 while FAIL_BUILD exists.
const fakeTsc = `
const fs = require('fs'), path = require('path');
fs.appendFileSync('tsc-calls.log', process.argv.slice(2).join(' ') + '\\n');
if (fs.existsSync('FAIL_BUILD')) { console.error('error TS0000: broken'); process.exit(1); }
fs.mkdirSync('dist/src', { recursive: true });
for (const f of fs.readdirSync('src')) fs.copyFileSync(path.join('src', f), path.join('dist/src', f.replace(/\\.ts$/, '.js')));
`;

let project: string;
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
const tscCalls = () => readFileSync(join(project, 'tsc-calls.log'), { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean).length;
const run = (args: string[], nodeFlags: string[] = []) =>
  spawnSync(process.execPath, [...nodeFlags, launcher, 'dist/src/cli.js', ...args], { cwd: project, encoding: 'utf8', timeout: 30_000 });

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'run-launcher-'));
  mkdirSync(join(project, 'src'));
  mkdirSync(join(project, 'node_modules', 'typescript', 'bin'), { recursive: true });
  writeFileSync(join(project, 'node_modules', 'typescript', 'bin', 'tsc'), fakeTsc);
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { outDir: 'dist' }, include: ['src/**/*.ts'] }));
  // Main module check as the real CLIs do; exit code from the first argument.
  writeFileSync(
    join(project, 'src', 'cli.ts'),
    "if (require.main !== module) process.exit(9);\nconsole.log('args', JSON.stringify(process.argv.slice(2)), 'gc', typeof globalThis.gc);\nprocess.exit(Number(process.argv[2] ?? 0));\n",
  );
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

it('builds once when there is no build, then runs the entry with its arguments and exit code', () => {
  const first = run(['0', '--help']);
  expect(first.status).toBe(0);
  expect(first.stdout).toContain('args ["0","--help"]');
  expect(first.stderr).toContain('run: building (no build yet)');
  expect(tscCalls()).toBe(1);
  expect(readFileSync(join(project, 'tsc-calls.log'), 'utf8')).toContain(`-p ${join(project, 'tsconfig.json')}`);
  expect(run(['5']).status).toBe(5);
});

it('spawns no tsc when the build is up to date', () => {
  run(['0']);
  for (let i = 0; i < 3; i++) {
    const again = run(['0', '--help']);
    expect(again.status).toBe(0);
    expect(again.stderr).not.toContain('building');
  }
  expect(tscCalls()).toBe(1);
});

it('rebuilds when a source, tsconfig.json or a folder (a file added or deleted) is newer than the build', () => {
  const stamp = join(project, 'dist', '.build-stamp');
  // Times in the past only: the stamp carries the build's start time, so a file dated in the future
  // would stay "newer" until the clock reaches it.
  const age = (path: string, seconds: number) => utimesSync(path, ago(seconds), ago(seconds));
  const sources = [join(project, 'src', 'cli.ts'), join(project, 'src'), join(project, 'tsconfig.json')];
  const settle = () => {
    for (const path of sources) age(path, 120);
    age(stamp, 60);
  };
  run(['0']);
  settle();
  run(['0']);
  expect(tscCalls()).toBe(1);
  age(join(project, 'src', 'cli.ts'), 30);
  expect(run(['0']).stderr).toContain('run: building (sources changed)');
  expect(tscCalls()).toBe(2);
  settle();
  age(join(project, 'tsconfig.json'), 30);
  run(['0']);
  expect(tscCalls()).toBe(3);
  settle();
  writeFileSync(join(project, 'src', 'extra.ts'), '');
  age(join(project, 'src', 'extra.ts'), 120);
  age(join(project, 'src'), 30);
  run(['0']);
  expect(tscCalls()).toBe(4);
  run(['0']);
  expect(tscCalls()).toBe(4);
});

it('a failed build stops the command and is retried next time (no stamp)', () => {
  writeFileSync(join(project, 'FAIL_BUILD'), '');
  const failed = run(['0']);
  expect(failed.status).toBe(1);
  expect(failed.stdout).not.toContain('args');
  rmSync(join(project, 'FAIL_BUILD'));
  const fixed = run(['0']);
  expect(fixed.status).toBe(0);
  expect(tscCalls()).toBe(2);
});

it('passes node flags on to the entry (npm run bench uses --expose-gc)', () => {
  expect(run(['0'], ['--expose-gc']).stdout).toContain('gc function');
  expect(run(['0']).stdout).toContain('gc undefined');
});

it('every npm script that runs dist/ goes through the launcher, none through a fresh tsc', () => {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const runsDist = Object.entries(scripts).filter(([, command]) => command.includes('dist/'));
  expect(runsDist.length).toBeGreaterThanOrEqual(10);
  expect(runsDist.filter(([, command]) => !/^node (--[\w-]+ )*scripts\/run\.mjs dist\/\S+\.js$/.test(command))).toEqual([]);
  expect(Object.values(scripts).filter((command) => command.includes('tsc -p tsconfig.json &&'))).toEqual([]);
});

it('--build (npm run build) always builds and stamps it, so the next command does not build again', () => {
  const build = () => spawnSync(process.execPath, [launcher, '--build'], { cwd: project, encoding: 'utf8', timeout: 30_000 });
  expect(build()).toMatchObject({ status: 0, stderr: '' });
  expect(build().status).toBe(0);
  expect(tscCalls()).toBe(2);
  const next = run(['0']);
  expect(next).toMatchObject({ status: 0, stderr: '' });
  expect(tscCalls()).toBe(2);
  writeFileSync(join(project, 'FAIL_BUILD'), '');
  expect(build().status).toBe(1);
});
