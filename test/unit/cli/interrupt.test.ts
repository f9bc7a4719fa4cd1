// The first Ctrl+C asks a local command to finish; the second quits at once (exit 130), even while
// the command waits on something that never ends (a redelivery backoff, a held request).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const child = `
const fs = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, file) => module._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText, file);
const { onInterrupt } = require(process.argv[1]);
onInterrupt(() => process.stdout.write('stopping\\n'));
setInterval(() => undefined, 1000); // work that does not end by itself
process.stdout.write('ready\\n');
`;

it('finishes on the first Ctrl+C and quits with 130 on the second', async () => {
  const proc = spawn(process.execPath, ['-e', child, resolve(__dirname, '../../../local/cli/interrupt.ts')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<void>((done) =>
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) done();
    }),
  );
  await ready;
  proc.kill('SIGINT');
  await new Promise((r) => setTimeout(r, 200));
  expect(out).toContain('stopping');
  expect(proc.exitCode).toBeNull();
  const exited = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)));
  proc.kill('SIGINT');
  expect(await exited).toBe(130);
}, 30_000);
