// `npm run lint` refuses a cycle between two folders, type imports included.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const checker = resolve(__dirname, '../../../scripts/check-import-cycles.mjs');

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cycles-'));
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'Node16', moduleResolution: 'Node16', strict: true } }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function check(root: string): { code: number; output: string } {
  try {
    return { code: 0, output: execFileSync(process.execPath, [checker, 'shared'], { cwd: root, encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const failure = error as { status: number; stderr: string };
    return { code: failure.status, output: failure.stderr };
  }
}

it('fails on folders that import each other through their public faces, naming the imports', () => {
  const root = tree({
    'shared/config/index.ts': "export { load } from './load';\n",
    'shared/config/load.ts': "import { compile } from '../ingest';\nexport const load = () => compile();\n",
    'shared/ingest/index.ts': "export { compile } from './compile';\n",
    'shared/ingest/compile.ts':
      "import type { load } from '../config';\nexport const compile = (): ReturnType<typeof load> | undefined => undefined;\n",
  });
  try {
    const { code, output } = check(root);
    expect(code).toBe(1);
    expect(output).toContain('folders shared/config ↔ shared/ingest import each other');
    expect(output).toContain('shared/ingest/compile.ts → shared/config/index.ts');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

it('passes when the dependency points one way', () => {
  const root = tree({
    'shared/config/index.ts': "import { compile } from '../ingest';\nexport const load = () => compile();\n",
    'shared/ingest/index.ts': 'export const compile = (): undefined => undefined;\n',
  });
  try {
    expect(check(root)).toMatchObject({ code: 0 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

it('fails when a stage imports a later stage of its folder, naming the import and the order', () => {
  const root = tree({
    'shared/ingest/index.ts': "export { decode } from './decode';\n",
    'shared/ingest/decode/index.ts': "export { decode } from './decode';\n",
    'shared/ingest/decode/decode.ts': "import { write } from '../write';\nexport const decode = () => write();\n",
    'shared/ingest/write/index.ts': "export { write } from './write';\n",
    'shared/ingest/write/write.ts': 'export const write = (): undefined => undefined;\n',
  });
  try {
    const { code, output } = check(root);
    expect(code).toBe(1);
    expect(output).toContain('stage shared/ingest/decode imports the later stage write');
    expect(output).toContain('shared/ingest/decode/decode.ts → shared/ingest/write/index.ts');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

it('passes when a stage imports an earlier stage, and refuses a sub-folder with no declared place', () => {
  const root = tree({
    'shared/ingest/index.ts': "export { write } from './write';\n",
    'shared/ingest/decode/index.ts': "export { decode } from './decode';\n",
    'shared/ingest/decode/decode.ts': 'export const decode = (): undefined => undefined;\n',
    'shared/ingest/write/index.ts': "export { write } from './write';\n",
    'shared/ingest/write/write.ts': "import { decode } from '../decode';\nexport const write = () => decode();\n",
  });
  const stray = tree({
    'shared/ingest/index.ts': "export { x } from './misc';\n",
    'shared/ingest/misc/index.ts': 'export const x = 1;\n',
  });
  try {
    expect(check(root)).toMatchObject({ code: 0 });
    const { code, output } = check(stray);
    expect(code).toBe(1);
    expect(output).toContain('shared/ingest/misc is a sub-folder with no declared place');
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(stray, { recursive: true, force: true });
  }
});
