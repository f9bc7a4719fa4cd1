// A pipeline file with several mistakes — one the schema finds, one in a JSONata expression, one
// only the models reveal — is reported in one run, every problem with its file, line and column,
// for YAML and JSON alike.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ConfigError, parsePipelineConfig } from '../../../shared/config';

const models = ['Room', 'Thermostat', 'Device'].map(
  (name) =>
    JSON.parse(readFileSync(join(__dirname, '../../../local/scenarios/building/models', `${name}.json`), 'utf8')) as Record<
      string,
      unknown
    >,
);

const yamlFile = `rollups:
  rules:
    - name: room-climate
      parentModel: dtmi:example:building:Room;1
      relationships: [hasDevice]
      childModel: dtmi:example:building:Thermostat;1
      properties:
        temperature: { aggregate: avarage }
        humidity: { aggregate: avg, of: humidity }
ingest:
  rules:
    - name: thermostat
      match: { deviceId: "thermostat-*" }
      properties:
        - target: temperature
          transform: { expression: "$sumx($)" }
        - target: humidty
`;

function errorOf(text: string, origin: string): ConfigError {
  try {
    parsePipelineConfig(text, origin, { models });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected the file to be refused');
}

describe('a file with a schema error, an unknown JSONata function and a model misfit', () => {
  it('lists all three in one error, each with file, line and column', () => {
    const error = errorOf(yamlFile, 'pipeline.yaml');
    expect(error.issues).toEqual([
      "rollups.rules[0].properties.temperature.aggregate: unknown aggregate 'avarage' — did you mean 'avg'? (one of copy, avg, min, max, sum, count, countDistinct, median, stddev, any, all, latest)",
      'ingest.rules[0].properties[0].transform.expression: JSONata expression "$sumx($)": unknown function $sumx at character 1 (did you mean $sum?)',
      'ingest.rules[0].properties[1].target: "humidty" is not a property of any model (did you mean "humidity"?)',
    ]);
    expect(error.positions).toEqual([
      { line: 8, column: 35 },
      { line: 16, column: 36 },
      { line: 17, column: 19 },
    ]);
    expect(error.message).toContain(
      "  - pipeline.yaml:8:35: rollups.rules[0].properties.temperature.aggregate: unknown aggregate 'avarage'",
    );
    expect(error.message).toContain(
      '  - pipeline.yaml:16:36: ingest.rules[0].properties[0].transform.expression: JSONata expression "$sumx($)": unknown function $sumx',
    );
    expect(error.message).toContain('  - pipeline.yaml:17:19: ingest.rules[0].properties[1].target: "humidty"');
  });

  it('says nothing misleading about the misspelled aggregate (no "of: is required")', () => {
    expect(errorOf(yamlFile, 'pipeline.yaml').message).not.toMatch(/is required/);
  });

  it('gives lines for a JSON file too', () => {
    const json = JSON.stringify(
      {
        ingest: {
          options: { outOfRange: 'dorp' },
          rules: [{ name: 'r', properties: [{ target: 'temperature', transform: { expression: '$uppercas($)' } }] }],
        },
      },
      null,
      2,
    );
    const error = errorOf(json, 'pipeline.json');
    expect(error.issues).toEqual([
      'ingest.options.outOfRange: "dorp" is not one of drop, dead-letter — did you mean "drop"?',
      'ingest.rules[0].properties[0].transform.expression: JSONata expression "$uppercas($)": unknown function $uppercas at character 1 (did you mean $uppercase?)',
    ]);
    const lines = json.split('\n');
    expect(error.positions.map((p) => p?.line)).toEqual([
      lines.findIndex((l) => l.includes('"dorp"')) + 1,
      lines.findIndex((l) => l.includes('$uppercas')) + 1,
    ]);
    expect(error.message).toMatch(/pipeline\.json:\d+:\d+: ingest\.options\.outOfRange/);
  });

  it('keeps the file indexes when the schema refuses an earlier rule', () => {
    const text = `ingest:
  rules:
    - name: broken
      properties:
        - target: temperature
          range: { min: "low" }
    - name: second
      properties:
        - target: temperature
          transform: { expression: "$roundd($)" }
`;
    const error = errorOf(text, 'p.yaml');
    expect(error.issues).toEqual([
      'ingest.rules[0].properties[0].range.min: must be number',
      'ingest.rules[1].properties[0].transform.expression: JSONata expression "$roundd($)": unknown function $roundd at character 1 (did you mean $round?)',
    ]);
    expect(error.positions.map((p) => p?.line)).toEqual([6, 10]);
  });

  it("locates roll-up problems named by rule, and reports every rule's JSONata problem at once", () => {
    const text = `rollups:
  rules:
    - name: a
      parentModel: dtmi:example:building:Room;1
      relationships: [hasDevise]
      properties:
        temperature: { expression: "$averag($t)", inputs: { t: { aggregate: avg, of: temperature } } }
    - name: b
      parentModel: dtmi:example:building:Room;1
      relationships: [hasDevice]
      where: "status = = 1"
      properties:
        humidity: { aggregate: avg, of: humidity }
`;
    const error = errorOf(text, 'p.yaml');
    expect(error.message).toMatch(
      /p\.yaml:7:\d+: rollups: Roll-up rule "a", property "temperature": JSONata expression "\$averag\(\$t\)": unknown function \$averag at character 1 \(did you mean \$average\?\)\. Fix the expression\./,
    );
    expect(error.message).toMatch(/p\.yaml:11:\d+: rollups: Roll-up rule "b", where: JSONata expression "status = = 1" does not parse/);
    // Rule b still meets the models; rule a (not compiled) cannot.
    expect(error.issues).toHaveLength(2);
  });

  it("accepts the names an expression defines itself and JSONata's own", () => {
    expect(() =>
      parsePipelineConfig(
        'ingest:\n  rules:\n    - name: r\n      properties:\n        - target: temperature\n          transform: { expression: "($f := function($v) { $round($v * 2, 1) }; $f($) ~> $string ~> $number)" }\n',
        'p.yaml',
        { models },
      ),
    ).not.toThrow();
  });
});
