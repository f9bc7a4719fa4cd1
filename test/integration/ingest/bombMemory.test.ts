// A decompression bomb costs at most the configured limit: measured as the peak RSS of a fresh Node
// process that decodes a 512 MiB gzip bomb with the limit at 1 MiB.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { gzipBomb } from '../../support/gzipBomb';

const root = resolve(__dirname, '..', '..', '..');

// The child loads the TypeScript source through the compiler's own transpiler (no build needed).
const child = `
const fs = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, file) => module._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText, file);
const { decodeBody } = require(process.argv[1]);
const body = fs.readFileSync(process.argv[2]);
global.gc?.();
const before = process.resourceUsage().maxRSS;
const result = decodeBody(body, { contentEncoding: 'gzip' }, { maxDecodedBytes: 1024 * 1024, maxDepth: 32 });
const after = process.resourceUsage().maxRSS;
process.stdout.write(JSON.stringify({ reason: result.ok ? 'ok' : result.reason, growthKiB: after - before }));
`;

it('refuses a 512 MiB gzip bomb as too-large while the process grows by less than the limit plus 16 MiB', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bomb-'));
  try {
    const file = join(dir, 'bomb.gz');
    writeFileSync(file, await gzipBomb(512));
    const output = execFileSync(
      process.execPath,
      ['--expose-gc', '-e', child, join(root, 'shared', 'ingest', 'decode', 'decodeBody.ts'), file],
      { cwd: root, encoding: 'utf8', timeout: 60_000 },
    );
    const { reason, growthKiB } = JSON.parse(output) as { reason: string; growthKiB: number };
    expect(reason).toBe('too-large');
    expect(growthKiB).toBeLessThan(1024 + 16 * 1024);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
