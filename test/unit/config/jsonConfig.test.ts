// A JSON configuration file takes the built-in JSON.parse path: on a cold worker it loads neither the
// YAML parser nor the Ajv compiler (the schema validator is generated code). What JSON.parse would
// accept silently or explain badly (a repeated key, broken JSON) still goes to the YAML parser, so
// the errors are the ones a YAML file gets.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseJsonObject } from '../../../shared/config/jsonText';

// Which of the two packages were loaded; each factory runs when the package is first required.
const mockLoaded = new Set<string>();
jest.mock('yaml', () => {
  mockLoaded.add('yaml');
  return jest.requireActual('yaml');
});
jest.mock('ajv', () => {
  mockLoaded.add('ajv');
  return jest.requireActual('ajv');
});

type Load = typeof import('../../../shared/config/load');
type Errors = typeof import('../../../shared/config/errors');

/** The loader as a fresh worker has it: nothing required yet. */
function freshLoader(): Load & Errors {
  jest.resetModules();
  mockLoaded.clear();
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded after the reset, like a cold start */
  return { ...(require('../../../shared/config/load') as Load), ...(require('../../../shared/config/errors') as Errors) };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

const yamlScenario = readFileSync(join(__dirname, '..', '..', '..', 'local', 'scenarios', 'building', 'pipeline.yaml'), 'utf8');
const asJson = (text: string): string => JSON.stringify((jest.requireActual('yaml') as typeof import('yaml')).parse(text), null, 2);

function issuesOf(loader: Load & Errors, text: string): readonly string[] {
  try {
    loader.parsePipelineConfig(text, 'pipeline.json');
  } catch (error) {
    expect(error).toBeInstanceOf(loader.ConfigError);
    return (error as InstanceType<Errors['ConfigError']>).issues;
  }
  throw new Error('expected the config to be rejected');
}

describe('a JSON pipeline configuration', () => {
  it('is parsed and validated without loading the YAML parser or the Ajv compiler', () => {
    const loader = freshLoader();
    const compiled = loader.parsePipelineConfig(asJson(yamlScenario), 'pipeline.json');
    expect(compiled.origin).toBe('pipeline.json');
    expect([...mockLoaded]).toEqual([]);
  });

  it('is rejected with the schema problems; only then is the YAML parser loaded, to give each its line', () => {
    const loader = freshLoader();
    expect(issuesOf(loader, '{ "ingest": { "options": { "outOfRange": "dorp" } } }')).toEqual([
      'ingest.options.outOfRange: "dorp" is not one of drop, dead-letter — did you mean "drop"?',
    ]);
    expect([...mockLoaded]).toEqual(['yaml']);
  });

  it('a YAML file loads the YAML parser (and only it)', () => {
    const loader = freshLoader();
    loader.parsePipelineConfig(yamlScenario, 'pipeline.yaml');
    expect([...mockLoaded]).toEqual(['yaml']);
  });

  it.each([
    ['at the top', '{ "ingest": {},\n  "ingest": {} }'],
    ['in a nested object', '{ "ingest": { "options": {\n  "sourceTime": "ts", "sourceTime": "t" } } }'],
    ['written with an escape', '{ "ingest": {}, "\\u0069ngest": {} }'],
  ])('with a key repeated %s is refused with its line, as YAML refuses it', (_, text) => {
    const issues = issuesOf(freshLoader(), text);
    expect(issues).toEqual([expect.stringMatching(/^line \d+, column \d+: Map keys must be unique/)]);
  });

  it("that does not parse gets the YAML parser's line and column", () => {
    const issues = issuesOf(freshLoader(), '{\n  "ingest": {\n    "options": { "sourceTime" "ts" }\n  }\n}');
    expect(issues).toEqual([expect.stringMatching(/^line 3, column 31: Missing , or : between flow map items/)]);
  });
});

describe('parseJsonObject', () => {
  it('gives the value the YAML parser gives for the same JSON', () => {
    const text = asJson(yamlScenario);
    expect(parseJsonObject(text)).toEqual((jest.requireActual('yaml') as typeof import('yaml')).parse(text));
  });

  it('takes equal keys in different objects, and quotes, colons and braces inside strings, as no repetition', () => {
    const text = '{ "rules": [ { "name": "a" }, { "name": "b" } ], "note": "x\\": {\\"note\\": 1}", "n": { "note": "}" } }';
    expect(parseJsonObject(text)).toEqual({ rules: [{ name: 'a' }, { name: 'b' }], note: 'x": {"note": 1}', n: { note: '}' } });
  });

  it.each([
    ['YAML', 'ingest:\n  rules: []\n'],
    ['a YAML flow mapping', '{ ingest: {} }'],
    ['a JSON array', '[1, 2]'],
    ['broken JSON', '{ "ingest": '],
    ['a repeated key', '{ "a": 1, "a": 2 }'],
    ['an empty file', ''],
  ])('leaves %s to the YAML parser', (_, text) => {
    expect(parseJsonObject(text)).toBeUndefined();
  });
});
