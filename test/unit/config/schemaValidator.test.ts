// The config schema validator is generated ahead of time and checked in
// (shared/config/pipelineSchemaValidator.js, by scripts/generate-config-validator.cjs). These tests
// keep it honest: it must be what the current schemas generate, the staleness check must notice an
// edit of either schema, and the generated code must report exactly what Ajv compiling the same
// schemas at run time with the same options reports.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

import generatedValidator from '../../../shared/config/pipelineSchemaValidator';

interface Generator {
  ajvOptions: Record<string, unknown>;
  generateValidatorSource(root?: string): string;
  pipelineSchemaFile: string;
  rollupsSchemaFile: string;
  validatorFile: string;
}

const repoRoot = join(__dirname, '..', '..', '..');
const script = join(repoRoot, 'scripts', 'generate-config-validator.cjs');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS build script, not part of the typed program
const generator = require(script) as Generator;

/** Runs the generator's command line under `root`; its exit code and what it printed. */
function runGenerator(root: string, ...args: string[]): { code: number; output: string } {
  try {
    const output = execFileSync(process.execPath, [script, '--root', root, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { code: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

describe('the generated config schema validator', () => {
  it('is what the current schemas and ajv generate (when this fails: npm run generate:config-validator)', () => {
    const checkedIn = readFileSync(join(repoRoot, generator.validatorFile), 'utf8');
    // Compared as a flag: a diff of 150 kB of generated code would only bury the instruction.
    expect({ upToDate: checkedIn === generator.generateValidatorSource(), fix: 'npm run generate:config-validator' }).toEqual({
      upToDate: true,
      fix: 'npm run generate:config-validator',
    });
  });

  describe('the staleness check', () => {
    let root = '';
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'config-validator-'));
      for (const file of [generator.pipelineSchemaFile, generator.rollupsSchemaFile, generator.validatorFile]) {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        copyFileSync(join(repoRoot, file), join(root, file));
      }
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    /** Adds an optional property to the schema's top-level object, as a schema change would. */
    const editSchema = (file: string): void => {
      const schema = JSON.parse(readFileSync(join(root, file), 'utf8')) as { properties: Record<string, unknown> };
      schema.properties.addedByTest = { type: 'string' };
      writeFileSync(join(root, file), JSON.stringify(schema, null, 2));
    };

    it('passes for the module generated from the schemas beside it', () => {
      expect(runGenerator(root, '--check')).toEqual({ code: 0, output: expect.stringContaining('up to date') });
    });

    it.each([
      ['pipeline', generator.pipelineSchemaFile],
      ['roll-up', generator.rollupsSchemaFile],
    ])('fails after an edit of the %s schema, telling how to regenerate; regenerating fixes it', (_, file) => {
      editSchema(file);
      const stale = runGenerator(root, '--check');
      expect(stale.code).toBe(1);
      expect(stale.output).toMatch(/pipelineSchemaValidator\.js is stale.*Run npm run generate:config-validator/);

      expect(runGenerator(root).code).toBe(0);
      expect(runGenerator(root, '--check').code).toBe(0);
      expect(readFileSync(join(root, generator.validatorFile), 'utf8')).toContain('"addedByTest"');
    });

    it('fails when the module is missing', () => {
      rmSync(join(root, generator.validatorFile));
      expect(runGenerator(root, '--check').code).toBe(1);
    });
  });

  describe('reports what Ajv compiling the schemas at run time reports', () => {
    let compiled: ValidateFunction;
    beforeAll(() => {
      const ajv = new Ajv(generator.ajvOptions);
      ajv.addSchema(JSON.parse(readFileSync(join(repoRoot, generator.rollupsSchemaFile), 'utf8')) as object);
      compiled = ajv.compile(JSON.parse(readFileSync(join(repoRoot, generator.pipelineSchemaFile), 'utf8')) as object);
    });

    const errorsOf = (validate: ValidateFunction, value: unknown): ErrorObject[] | null =>
      validate(value) ? null : (validate.errors ?? []);

    const scenarios = ['building', 'rec-building'].map(
      (name) => [name, parse(readFileSync(join(repoRoot, 'local', 'scenarios', name, 'pipeline.yaml'), 'utf8')) as unknown] as const,
    );
    const rollupRule = (properties: string): string =>
      `rollups:\n  rules:\n    - name: a\n      parentModel: dtmi:x:A;1\n      relationships: [r]\n      properties:\n${properties}`;
    // One of each kind of complaint the error texts handle: enum, oneOf (and a nested one), pattern,
    // type, required, additionalProperties, const, if/then.
    const broken: ReadonlyArray<[string, string]> = [
      ['unknown aggregate (enum inside oneOf)', rollupRule('        t: { aggregate: avrage, of: v }\n        u: { aggregate: avg }\n')],
      ['an empty form matching neither (nested oneOf)', rollupRule('        e: { aggregate: sum, of: v, empty: nothing }\n        n: 5\n')],
      ['expression target with a bad input', rollupRule('        z: { expression: "$a", inputs: { a: { aggregate: summ, of: v } } }\n')],
      [
        'several ingest problems at once',
        'ingest:\n  options: { outOfRange: sometimes, bogus: 1 }\n  twinId: 5\n  rules:\n    - properties: [{ target: "a/b/c" }]\n',
      ],
      [
        'wrong types and patterns in a rule',
        'version: 2\ningest:\n  rules:\n    - name: "9bad"\n      match: { modelId: 5 }\n      properties:\n        - target: z\n          transform: { scale: "ten" }\n',
      ],
      ['a rule without a body', 'ingest:\n  rules:\n    - name: r\n      twinId: { table: 5 }\n'],
    ];

    it.each(scenarios)('accepts the %s scenario like the compiled validator', (_, value) => {
      expect(errorsOf(generatedValidator, value)).toBeNull();
      expect(errorsOf(compiled, value)).toBeNull();
    });

    it.each(broken)('%s: the same errors, with the same data and schema parts', (_, text) => {
      const value = parse(text) as unknown;
      const expected = errorsOf(compiled, value);
      expect(expected?.length).toBeGreaterThan(0);
      expect(errorsOf(generatedValidator, value)).toEqual(expected);
    });
  });
});
