// .funcignore decides what the deployment package holds. Packaging is simulated with git's own
// gitignore engine (the syntax .funcignore uses) over every tracked file plus what a local build
// and install leave behind, and the result is checked both ways: the remote build and the app get
// what they need, development and deployment tooling stays out.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { type ArmParameterFile, loadCompiled, repoRoot } from './support/compiledTemplates';

/** Files a package built from the repo root would contain, per .funcignore. */
function packagedFiles(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'funcignore-'));
  try {
    const tracked = execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
    // Left behind by `npm ci && npm run build` on the developer's machine, and the worktree marker.
    const local = [
      'dist/functions/ingestTelemetry.js',
      'dist/functions/ingestTelemetry.js.map',
      'node_modules/jest/package.json',
      'coverage/lcov.info',
      '.local/dead-letters/0/1.json',
      '.tools/bicep-out/main.json',
      'local.settings.json',
    ];
    for (const file of [...tracked, ...local]) {
      mkdirSync(join(dir, dirname(file)), { recursive: true });
      writeFileSync(join(dir, file), '');
    }
    execFileSync('git', ['init', '-q'], { cwd: dir });
    copyFileSync(join(repoRoot, '.funcignore'), join(dir, '.git', 'info', 'exclude'));
    rmSync(join(dir, '.gitignore'), { force: true }); // only .funcignore decides here
    return execFileSync('git', ['ls-files', '--others', '--exclude-standard'], { cwd: dir, encoding: 'utf8' }).split('\n').filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('.funcignore (deployment package contents)', () => {
  let files: string[] = [];
  beforeAll(() => {
    if (!existsSync(join(repoRoot, '.funcignore')))
      throw new Error('.funcignore is missing: without it the package ships .git, tests, .tools/ and everything else.');
    files = packagedFiles();
  });
  const has = (f: string) => files.includes(f);

  it('ships what the remote build and the running app need', () => {
    for (const f of [
      'package.json',
      'package-lock.json',
      'host.json',
      'tsconfig.json',
      'functions/ingestTelemetry.ts',
      'functions/propagateTwinChanges.ts',
      'shared/settings.ts',
      'shared/config/pipeline.schema.json',
    ]) {
      expect([f, has(f)]).toEqual([f, true]);
    }
    // Every source the app's entry points are compiled from (the generated config validator is .js).
    const appSources = execFileSync('git', ['ls-files', 'functions', 'shared'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\.(ts|js|json)$/.test(f));
    expect(appSources.filter((f) => !has(f))).toEqual([]);
  });

  it('ships the pipeline configuration the app setting points at', () => {
    const configPath = String(loadCompiled<ArmParameterFile>('main.parameters.json').parameters.pipelineConfigPath?.value);
    expect(has(configPath)).toBe(true);
  });

  it('leaves out tests, benchmarks, tooling, local state, build output and dependencies', () => {
    const unwanted = files.filter(
      (f) =>
        /^(test|bench|infra|scripts|\.ci|\.tools|\.local|coverage|dist|node_modules)\//.test(f) ||
        /(^|\/)\.git|\.map$|\.md$|^local\.settings/.test(f) ||
        ['azure.yaml', 'jest.config.js', 'eslint.config.mjs', '.funcignore'].includes(f),
    );
    expect(unwanted).toEqual([]);
    expect(files.length).toBeGreaterThan(20); // sanity: the simulation packaged something
  });
});
