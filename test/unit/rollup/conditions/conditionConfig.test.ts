// Conditions at load: bad expressions, unknown properties and misspelt keys are refused with the
// file, line and column, and a suggestion; a good section compiles into rules the keeper uses.
import { ConfigError } from '../../../../shared/config';
import { parsePipelineConfig } from '../../../../shared/config/load';

const ROOM = 'dtmi:test:cond:Room;1';
const model = {
  '@id': ROOM,
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double' },
    { '@type': 'Property', name: 'overheated', schema: 'boolean' },
    { '@type': 'Property', name: 'overheatedSince', schema: 'dateTime' },
    { '@type': 'Property', name: 'overheatedPending', schema: 'dateTime' },
  ],
};

function problems(text: string, withModels = true): string[] {
  try {
    parsePipelineConfig(text, 'pipeline.yaml', withModels ? { models: [model] } : {});
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n').filter((l) => l.startsWith('  - '));
    throw error;
  }
  return [];
}

const condition = (lines: string): string => `rollups:\n  conditions:\n    - name: hot\n      model: "${ROOM}"\n${lines}`;

it('compiles a condition with defaults: clear = not when, no durations', () => {
  const config = parsePipelineConfig(condition('      when: temperature > 26\n      write: { property: overheated }\n'), 'pipeline.yaml', {
    models: [model],
  });
  expect(config.compiledRollups?.conditions).toEqual([
    expect.objectContaining({
      name: 'hot',
      raiseAfterMs: 0,
      clearAfterMs: 0,
      clear: undefined,
      raised: true,
      cleared: false,
      inputs: new Set(['temperature']),
    }),
  ]);
});

it('refuses an expression that does not parse, with its line', () => {
  expect(problems(condition('      when: "temperature >"\n      write: { property: overheated }\n'))).toEqual([
    expect.stringMatching(/^ {2}- pipeline\.yaml:5:\d+: rollups\.conditions\[0\]\.when: JSONata expression "temperature >" does not parse/),
  ]);
});

it('refuses a misspelt function, naming the closest one', () => {
  expect(problems(condition('      when: "$averge([temperature]) > 26"\n      write: { property: overheated }\n'))[0]).toMatch(
    /pipeline\.yaml:5:\d+: rollups\.conditions\[0\]\.when: .*\$averge.*\$average/,
  );
});

it("refuses properties the model does not declare, with did-you-mean, at the condition's line", () => {
  const found = problems(condition('      when: temprature > 26\n      write: { property: overheatd, since: overheatedSince }\n'));
  expect(found).toEqual([
    expect.stringMatching(
      /^ {2}- pipeline\.yaml:3:\d+: rollups\.conditions\[0\]: the expression reads "temprature", which model .* does not declare \(did you mean "temperature"\?\)/,
    ),
    expect.stringMatching(
      /^ {2}- pipeline\.yaml:6:\d+: rollups\.conditions\[0\]\.write\.property: "overheatd" is not a property .*\(did you mean "overheated"\?\)/,
    ),
  ]);
});

it('refuses a duration without a pending property, a condition reading its own state, and a misspelt key', () => {
  expect(
    problems(condition('      when: temperature > 26\n      raiseAfter: 300\n      write: { property: overheated }\n'), false),
  ).toEqual([expect.stringMatching(/pipeline\.yaml:7:\d+: rollups\.conditions\[0\]\.write: a duration .* needs "pending"/)]);
  expect(problems(condition('      when: overheated or temperature > 26\n      write: { property: overheated }\n'), false)).toEqual([
    expect.stringMatching(/pipeline\.yaml:3:\d+: .*reads "overheated", which it writes itself/),
  ]);
  expect(
    problems(condition('      when: temperature > 26\n      raiseAftr: 300\n      write: { property: overheated }\n'), false)[0],
  ).toMatch(/pipeline\.yaml:3:\d+: rollups\.conditions\[0\]: unknown property "raiseAftr" \(did you mean "raiseAfter"\?\)/);
});

it('refuses two conditions writing one property, and a condition writing one property twice', () => {
  const two = `rollups:\n  conditions:\n    - { name: a, model: "${ROOM}", when: temperature > 26, write: { property: overheated } }\n    - { name: b, model: "${ROOM}", when: temperature > 30, write: { property: overheated } }\n`;
  expect(problems(two, false)).toEqual([
    expect.stringMatching(/pipeline\.yaml:4:\d+: rollups\.conditions\[1\]\.write: conditions "a" and "b" both write .*overheated/),
  ]);
  expect(problems(condition('      when: temperature > 26\n      write: { property: overheated, since: overheated }\n'), false)).toEqual([
    expect.stringMatching(/rollups\.conditions\[0\]\.write: property, since and pending must be three different properties/),
  ]);
});
