import { defaultPipelineConfig, loadPipelineConfig, parsePipelineConfig } from '../../../shared/config/load';
import { issuesOf } from './configIssues';

const rule = (body: string): string => `ingest:\n  rules:\n${body}`;

describe('pipeline config validation', () => {
  it('names the exact path of a type error among several rules', () => {
    const issues = issuesOf(
      rule(`    - { name: a, properties: [{ target: x }] }
    - { name: b, properties: [{ target: y }] }
    - name: c
      properties:
        - target: z
          transform: { scale: "ten" }
`),
    );
    expect(issues).toEqual(['ingest.rules[2].properties[0].transform.scale: must be number']);
  });

  it('reports every structural problem at once (allErrors)', () => {
    const issues = issuesOf(`ingest:
  options: { outOfRange: sometimes, bogus: 1 }
  twinId: 5
  rules:
    - properties: [{ target: "a/b/c" }]
`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'ingest.options: unknown property "bogus"',
        'ingest.options.outOfRange: "sometimes" is not one of drop, dead-letter',
        'ingest.twinId: must be string or object',
        'ingest.rules[0].name: is required',
        expect.stringMatching(/^ingest\.rules\[0\]\.properties\[0\]\.target: must be a property name or component\/property/),
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it('rejects unknown template variables, bad regexes, bad JSONata and unknown units with their paths', () => {
    const issues = issuesOf(`ingest:
  twinId: "{deviceId}-{tenant}"
  rules:
    - name: r
      match: { deviceId: "/([a-z/", when: "body.(" }
      properties:
        - target: t
          transform: { expression: "$$ +", unit: { from: degF, to: psi } }
        - target: u
          source: "$weird"
`);
    expect(issues).toEqual([
      expect.stringMatching(/^ingest\.twinId: unknown template variable \{tenant\}/),
      expect.stringMatching(/^ingest\.rules\[0\]\.match\.deviceId: bad regular expression \/\(\[a-z\//),
      expect.stringMatching(/^ingest\.rules\[0\]\.match\.when: invalid JSONata expression/),
      expect.stringMatching(/^ingest\.rules\[0\]\.properties\[0\]\.transform\.expression: invalid JSONata expression/),
      'ingest.rules[0].properties[0].transform.unit: cannot convert temperature (degF) to pressure (psi)',
      expect.stringMatching(/^ingest\.rules\[0\]\.properties\[1\]\.source: unknown source "\$weird"/),
    ]);
  });

  it('checks twin id strategies, unknownTwin, duplicates, ranges and telemetry selections semantically', () => {
    const issues = issuesOf(`ingest:
  twinId: { template: "{deviceId}", query: "SELECT T FROM digitaltwins T" }
  unknownTwin: { action: create }
  rules:
    - name: r
      twinId: { query: "MATCH x", cache: { ttlSeconds: 5 } }
      properties:
        - { target: t, range: { min: 5, max: 1 } }
        - { target: t }
      telemetry:
        - { fields: [a], all: true }
    - name: r
      telemetry: [{ all: true }]
`);
    expect(issues).toEqual([
      'ingest.twinId: set only one of template, table or query (found template, query)',
      'ingest.unknownTwin.modelId: is required when action is "create" (the model of the twins to create)',
      'ingest.rules[0].twinId.query: must be an ADT query starting with SELECT',
      'ingest.rules[0].properties[0].range: min (5) is greater than max (1)',
      'ingest.rules[0].properties[1].target: maps the same twin property as ingest.rules[0].properties[0]',
      'ingest.rules[0].telemetry[0]: set only one of fields, all or expression (found fields, all)',
      'ingest.rules[1].name: duplicate rule name "r" (also ingest.rules[0])',
    ]);
  });

  it('reports YAML syntax errors with line numbers and the file name in the message', () => {
    expect(() => parsePipelineConfig('ingest:\n  rules: [\n', 'broken.yaml')).toThrow(/broken\.yaml is invalid[\s\S]*line \d+, column \d+/);
  });

  it('validates the rollups section against the roll-up schema', () => {
    const issues = issuesOf('rollups:\n  rules: [{ name: x }]\n');
    expect(issues).toContain('rollups.rules[0].parentModel: is required');
  });

  it('accepts JSON as well as YAML', () => {
    const config = parsePipelineConfig(JSON.stringify({ ingest: { twinId: { table: { d1: 't1' }, fallback: '{deviceId}' } } }), 'c.json');
    expect(config.ingest.twinId.kind).toBe('table');
  });

  it('uses zero-config defaults without PIPELINE_CONFIG_PATH and fails clearly for a missing file', () => {
    const defaults = loadPipelineConfig({});
    expect(defaults).toEqual(expect.objectContaining({ origin: '(defaults)' }));
    expect(defaults.ingest.twinId.kind).toBe('template');
    expect(defaults.ingest.options).toEqual(
      expect.objectContaining({ unmatched: 'model', emitSourceTime: true, outOfRange: 'drop', maxTwinsPerMessage: 10 }),
    );
    expect(defaultPipelineConfig().ingest.rules).toEqual([]);
    expect(() => loadPipelineConfig({ PIPELINE_CONFIG_PATH: '/nonexistent/pipeline.yaml' })).toThrow(
      /cannot read the file .*PIPELINE_CONFIG_PATH/,
    );
  });
});

describe('rollups section', () => {
  it('runs the roll-up module semantic check and reports its error', () => {
    const rule =
      '{ name: r, parentModel: "dtmi:x:Room;1", relationships: [hasDevice], properties: { t: { aggregate: avg, of: temperature } } }';
    expect(() => parsePipelineConfig(`rollups:\n  rules: [${rule}, ${rule}]\n`, 'r.yaml')).toThrow(/used twice/);
    expect(parsePipelineConfig(`rollups:\n  rules: [${rule}]\n`, 'r.yaml').compiledRollups).toBeDefined();
  });
});
