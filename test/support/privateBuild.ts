// A private build of the app for tests that run compiled JavaScript in other processes or threads
// (the runner's worker threads, the benchmarks' fresh processes), not the TypeScript jest loads.
// Transpiled file by file (types are checked by `npm run typecheck`, not here) into a folder of
// this test process's own, so a concurrent `npm run build` rewriting dist/ cannot hand the test
// half-written files.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

import ts from 'typescript';

const repoRoot = join(__dirname, '..', '..');

const sourceFolders = ['functions', 'shared', 'local', 'bench'];

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

/** Returns the build's root (its layout mirrors dist/); remove it with removeBuild. */
export function privateBuild(name: string): string {
  const outDir = join(repoRoot, '.local', `${name}-${process.pid}`);
  rmSync(outDir, { recursive: true, force: true });
  for (const folder of sourceFolders) {
    for (const file of filesUnder(join(repoRoot, folder))) {
      const target = join(outDir, relative(repoRoot, file));
      if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
        const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
          fileName: file,
          compilerOptions: {
            module: ts.ModuleKind.CommonJS,
            target: ts.ScriptTarget.ES2022,
            esModuleInterop: true,
            resolveJsonModule: true,
          },
        });
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target.replace(/\.ts$/, '.js'), outputText);
      } else if (file.endsWith('.json') || file.endsWith('.mjs') || file.endsWith('.js')) {
        // JSON imported by the code, the DTDL parser's ESM worker the emulator starts, and generated
        // JavaScript (the config schema's precompiled validator).
        mkdirSync(dirname(target), { recursive: true });
        copyFileSync(file, target);
      }
    }
  }
  return outDir;
}

export function removeBuild(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
}
