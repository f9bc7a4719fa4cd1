#!/usr/bin/env node
// `npm run <command>` launcher: runs a compiled entry point, building first only when the build is
// missing or older than a source. tsc costs 6–8 s even when nothing changed (it type-checks the whole
// program), so `npm run local -- --help` on an up-to-date build answers at once instead.
//
//   node [node flags] scripts/run.mjs dist/<path>.js [args...]
//   node scripts/run.mjs --build     (`npm run build`: always builds, and stamps the build it made, so
//                                     the commands after it — CI's tests among them — do not build again)
//
// "Up to date": dist/.build-stamp, written when a build by this launcher succeeds, is newer than every
// file tsconfig.json's "include" names, tsconfig.json itself and their folders (a folder's time
// changes when a file in it is added, renamed or deleted). A failed build writes no stamp, so the
// next command builds (and shows the errors) again. The project root is the working directory,
// which npm sets to the package root.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const tsconfigPath = join(root, 'tsconfig.json');
const stampPath = join(root, 'dist', '.build-stamp');

/** Newest modification time among the sources tsconfig.json includes (and their folders). */
function newestSource() {
  const tsconfig = JSON.parse(readFileSync(tsconfigPath, 'utf8'));
  let newest = statSync(tsconfigPath).mtimeMs;
  for (const pattern of tsconfig.include ?? []) {
    // "dir/**/*.ext" (a folder tree, one extension) or a plain file path: what this project uses.
    const tree = /^(.+?)\/\*\*\/\*(\.[\w.]+)$/.exec(pattern);
    if (!tree) {
      const file = join(root, pattern);
      if (existsSync(file)) newest = Math.max(newest, statSync(file).mtimeMs);
      continue;
    }
    const [, dir, extension] = tree;
    const walk = (path) => {
      newest = Math.max(newest, statSync(path).mtimeMs);
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(path, entry.name));
        else if (entry.name.endsWith(extension)) newest = Math.max(newest, statSync(join(path, entry.name)).mtimeMs);
      }
    };
    if (existsSync(join(root, dir))) walk(join(root, dir));
  }
  return newest;
}

function buildIfStale(force = false) {
  const built = existsSync(stampPath) ? statSync(stampPath).mtimeMs : 0;
  if (!force && built >= newestSource()) return true;
  const started = new Date();
  if (!force) process.stderr.write(built === 0 ? 'run: building (no build yet)\n' : 'run: building (sources changed)\n');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', tsconfigPath], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) return false;
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(stampPath, `${started.toISOString()}\n`);
  // The stamp carries the time the build started: a file saved during the build is newer than it.
  utimesSync(stampPath, started, started);
  return true;
}

const [entry, ...args] = process.argv.slice(2);
if (entry === '--build') process.exit(buildIfStale(true) ? 0 : 1);
if (!entry) {
  process.stderr.write('Usage: node scripts/run.mjs dist/<path>.js [args...]\n');
  process.exit(2);
}
if (!buildIfStale()) process.exit(1);

// A child process, so the entry is the main module (require.main checks) and gets this process's
// node flags (e.g. --expose-gc). Ctrl+C (and a signal to the process group) reaches the child from the
// terminal; forwarding it too would count as a second Ctrl+C (local/cli/interrupt.ts: "quit now").
// So this process ignores those signals, waits for the child and exits the same way.
const child = spawn(process.execPath, [...process.execArgv, join(root, entry), ...args], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => undefined);
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else process.exit(code ?? 1);
});
