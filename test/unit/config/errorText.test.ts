// Error text of the configuration loader: one line per problem for a failed oneOf, enum values
// with "did you mean", JSONata syntax errors with their position.
import { enumProblem, suggestAllowed } from '../../../shared/config/enumProblem';
import { issuesOf } from './configIssues';

const rollups = (properties: string): string => `rollups:
  rules:
    - name: a
      parentModel: dtmi:x:A;1
      relationships: [r]
      properties:
${properties}`;

describe('oneOf failures: one line per problem', () => {
  it('an unknown aggregate is one line naming the value, the allowed ones and the likely one', () => {
    expect(issuesOf(rollups('        t: { aggregate: avrage, of: v }\n'))).toEqual([
      "rollups.rules[0].properties.t.aggregate: unknown aggregate 'avrage' — did you mean 'avg'? (one of copy, avg, min, max, sum, count, countDistinct, median, stddev, any, all, latest)",
    ]);
  });

  it('never reports the other form\'s keys (no "is required" next to "unknown property")', () => {
    const issues = issuesOf(rollups('        t: { aggregate: avrage, of: v }\n        u: { aggregate: avg }\n'));
    expect(issues).toEqual([
      "rollups.rules[0].properties.t.aggregate: unknown aggregate 'avrage' — did you mean 'avg'? (one of copy, avg, min, max, sum, count, countDistinct, median, stddev, any, all, latest)",
      'rollups.rules[0].properties.u.of: is required',
    ]);
    expect(issues.join('\n')).not.toMatch(/oneOf|expression: is required|unknown property "aggregate"|"then"/);
  });

  it('an expression target is judged as an expression target', () => {
    expect(issuesOf(rollups('        z: { expression: "$a", inputs: { a: { aggregate: summ, of: v } } }\n'))).toEqual([
      "rollups.rules[0].properties.z.inputs.a.aggregate: unknown aggregate 'summ' — did you mean 'sum'? (one of copy, avg, min, max, sum, count, countDistinct, median, stddev, any, all, latest)",
    ]);
    expect(issuesOf(rollups('        z: { expression: "$a" }\n'))).toEqual(['rollups.rules[0].properties.z.inputs: is required']);
  });

  it('a misspelled aggregate without "of" is that one line, not "of: is required"', () => {
    expect(issuesOf(rollups('        t: { aggregate: avarage }\n'))).toEqual([
      "rollups.rules[0].properties.t.aggregate: unknown aggregate 'avarage' — did you mean 'avg'? (one of copy, avg, min, max, sum, count, countDistinct, median, stddev, any, all, latest)",
    ]);
    expect(issuesOf(rollups('        z: { expression: "$a", inputs: { a: { aggregate: sume } } }\n'))).toEqual([
      "rollups.rules[0].properties.z.inputs.a.aggregate: unknown aggregate 'sume' — did you mean 'sum'? (one of copy, avg, min, max, sum, count, countDistinct, median, stddev, any, all, latest)",
    ]);
  });

  it('a key of the other form is reported as unknown, once', () => {
    expect(issuesOf(rollups('        t: { aggregate: avg, of: v, expression: "$x" }\n'))).toEqual([
      'rollups.rules[0].properties.t: unknown property "expression"',
    ]);
  });

  it('when no form fits better than another, one line names the forms (nested oneOf too)', () => {
    expect(issuesOf(rollups('        e: { aggregate: sum, of: v, empty: nothing }\n'))).toEqual([
      'rollups.rules[0].properties.e.empty: must be "remove" or an object with value',
    ]);
    expect(issuesOf(rollups('        n: 5\n'))).toEqual([
      'rollups.rules[0].properties.n: must be an object with aggregate or an object with expression and inputs',
    ]);
  });
});

describe('enum values', () => {
  it('says what was written and suggests by edit distance or abbreviation', () => {
    expect(enumProblem('sometimes', ['drop', 'dead-letter'])).toBe('"sometimes" is not one of drop, dead-letter');
    expect(enumProblem('dead-leter', ['drop', 'dead-letter'])).toBe(
      '"dead-leter" is not one of drop, dead-letter — did you mean "dead-letter"?',
    );
    expect(suggestAllowed('average', ['sum', 'avg', 'count'])).toEqual(['avg']);
    expect(suggestAllowed('cnt', ['sum', 'avg', 'count'])).toEqual(['count']);
    expect(suggestAllowed('zzz', ['sum', 'avg', 'count'])).toEqual([]);
  });

  it('applies to every enum of the file', () => {
    expect(issuesOf('ingest:\n  options: { outOfRange: dorp }\n')).toEqual([
      'ingest.options.outOfRange: "dorp" is not one of drop, dead-letter — did you mean "drop"?',
    ]);
  });
});

describe('roll-up JSONata syntax errors', () => {
  it('print the parser message and the character position, not [object Object]', () => {
    const [issue] = issuesOf(rollups('        w: { expression: "$a +", inputs: { a: { aggregate: sum, of: v } } }\n'));
    expect(issue).toBe(
      'rollups: Roll-up rule "a", property "w": JSONata expression "$a +" does not parse at character 4: Unexpected end of expression (S0207). Fix the expression.',
    );
    expect(issue).not.toContain('[object Object]');
  });

  it('in where too', () => {
    const text = rollups('        t: { aggregate: count }\n').replace(
      '      properties:',
      '      where: "status = = 1"\n      properties:',
    );
    expect(issuesOf(text)[0]).toMatch(
      /^rollups: Roll-up rule "a", where: JSONata expression "status = = 1" does not parse at character \d+: .+\(S\d+\)\. Fix the expression\.$/,
    );
  });
});
