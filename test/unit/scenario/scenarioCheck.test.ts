// Loading a scenario checks it against its models: graph twins and relationships (file, line, twin,
// model, did-you-mean), ingest targets and roll-up rules (naming the rule, with the pipeline file's
// line); one error lists them all: a ConfigError when only the pipeline file is wrong, a
// ScenarioError when graph.ndjson is too.
// Without a pipeline file the documented defaults load.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { scaffoldScenario } from '../../../local/newScenario/scaffold';
import { loadScenario, ScenarioError } from '../../../local/scenario';
import { ConfigError } from '../../../shared/config';

function scenario(edit?: (dir: string) => void): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'scenario-check-')), 'site');
  scaffoldScenario(dir);
  edit?.(dir);
  return dir;
}

const replaceIn = (file: string, from: string, to: string): void => {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.split(from).join(to));
};

/** 1-based line of the first line of `file` containing `text`. */
const lineOf = (file: string, text: string): number =>
  readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text)) + 1;

function problemsOf(dir: string): readonly string[] {
  try {
    loadScenario(dir);
  } catch (error) {
    if (error instanceof ConfigError) return error.locatedIssues;
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).problems;
  }
  throw new Error('expected the scenario to be refused');
}

describe('loading a scenario checks it against its models', () => {
  it('accepts the scaffolded scenario', () => {
    const loaded = loadScenario(scenario());
    expect(loaded.pipeline.compiledRollups?.rules.map((r) => r.name)).toEqual(['room-temperature']);
  });

  it('a graph twin with an unknown model names the twin, the model, the line and the likely model', () => {
    const dir = scenario((d) =>
      replaceIn(
        join(d, 'graph.ndjson'),
        '"$dtId":"sensor-2","$metadata":{"$model":"dtmi:example:site:TemperatureSensor;1"}',
        '"$dtId":"sensor-2","$metadata":{"$model":"dtmi:example:site:TemperatureSenser;1"}',
      ),
    );
    expect(problemsOf(dir)).toEqual([
      `${join(dir, 'graph.ndjson')} line 6: twin 'sensor-2' has model dtmi:example:site:TemperatureSenser;1, which is not among the scenario's models (did you mean "dtmi:example:site:TemperatureSensor;1"?). Fix "$metadata": {"$model": …} or add the model to models/ (ADT would refuse it as "Invalid twin specified").`,
    ]);
  });

  it('a relationship with an unknown name or twin says which line', () => {
    const dir = scenario((d) => {
      replaceIn(
        join(d, 'graph.ndjson'),
        '"$targetId":"sensor-2","$relationshipName":"hasSensor"',
        '"$targetId":"sensor-3","$relationshipName":"hasSensors"',
      );
    });
    expect(problemsOf(dir)).toEqual([
      `${join(dir, 'graph.ndjson')} line 9: relationship 'room-1-sensor-2' room-1 -[hasSensors]-> sensor-3: no twin 'sensor-3' in the Twins section; add it or fix $targetId.`,
      `${join(dir, 'graph.ndjson')} line 9: relationship 'room-1-sensor-2' room-1 -[hasSensors]-> sensor-3: "hasSensors" is not a relationship of dtmi:example:site:Room;1 (did you mean "hasSensor"?).`,
    ]);
  });

  it('a roll-up typo fails the load, naming the file, its line and the rule', () => {
    const dir = scenario((d) => replaceIn(join(d, 'pipeline.yaml'), 'relationships: [hasSensor]', 'relationships: [hasSenor]'));
    let message = '';
    try {
      loadScenario(dir);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`Pipeline configuration ${join(dir, 'pipeline.yaml')} is invalid (1 problem):`);
    expect(message).toContain(
      `${join(dir, 'pipeline.yaml')}:${lineOf(join(dir, 'pipeline.yaml'), 'hasSenor')}:23: Roll-up rule "room-temperature": relationship "hasSenor" is not a relationship of dtmi:example:site:Room;1, the parent model (direction outgoing: parent → child) (did you mean "hasSensor"?).`,
    );
  });

  it('an of property and a derived property not on the models', () => {
    const dir = scenario((d) => {
      replaceIn(
        join(d, 'pipeline.yaml'),
        'maxTemperature: { aggregate: max, of: temperature }',
        'maxTemprature: { aggregate: max, of: temprature }',
      );
    });
    expect(problemsOf(dir)).toEqual([
      `${join(dir, 'pipeline.yaml')}:${lineOf(join(dir, 'pipeline.yaml'), 'maxTemprature')}:9: Roll-up rule "room-temperature": derived property "maxTemprature" is not a property of dtmi:example:site:Room;1 (did you mean "maxTemperature" or "temperature"?). Declare it in the model (ADT refuses to write undeclared properties).`,
      `${join(dir, 'pipeline.yaml')}:${lineOf(join(dir, 'pipeline.yaml'), 'maxTemprature')}:46: Roll-up rule "room-temperature", property "maxTemprature": of "temprature" is not a property of dtmi:example:site:TemperatureSensor;1 (did you mean "temperature"?).`,
    ]);
  });

  it('an ingest target not in the models', () => {
    const dir = scenario((d) => replaceIn(join(d, 'pipeline.yaml'), '- target: temperature ', '- target: temperatur '));
    expect(problemsOf(dir)).toEqual([
      expect.stringMatching(
        /pipeline\.yaml:\d+:\d+: ingest\.rules\[0\]\.properties\[0\]\.target: "temperatur" is not a property of any model \(did you mean "temperature"/,
      ),
    ]);
  });

  it('lists every problem at once', () => {
    const dir = scenario((d) => {
      replaceIn(join(d, 'pipeline.yaml'), 'relationships: [hasSensor]', 'relationships: [hasSenor]');
      replaceIn(join(d, 'graph.ndjson'), '"$model":"dtmi:example:site:Room;1"', '"$model":"dtmi:example:site:Rom;1"');
    });
    const problems = problemsOf(dir);
    // The twin and the rule; relationships of a twin whose model is unknown are not checked further.
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("twin 'room-1' has model dtmi:example:site:Rom;1");
    expect(problems[1]).toMatch(/pipeline\.yaml:\d+:\d+: Roll-up rule .*relationship "hasSenor"/);
  });

  it('check: false loads without checking', () => {
    const dir = scenario((d) => replaceIn(join(d, 'pipeline.yaml'), 'relationships: [hasSensor]', 'relationships: [hasSenor]'));
    expect(loadScenario(dir, { check: false }).name).toBe('site');
  });
});

it('a missing scenario folder says how to make one', () => {
  const missing = join(tmpdir(), 'no-such-scenario-dayone');
  expect(() => loadScenario(missing)).toThrow(
    `Scenario directory ${missing} does not exist. Pass --scenario <dir> holding models/, graph.ndjson and optionally pipeline.yaml, or create one: npm run new-scenario -- ${missing}`,
  );
});

describe('a scenario without a pipeline file', () => {
  it('loads the documented defaults: twin id = device id, model-driven mapping, no roll-ups', () => {
    const dir = scenario((d) => rmSync(join(d, 'pipeline.yaml')));
    const loaded = loadScenario(dir);
    expect(loaded.pipelineConfigPath).toBe('');
    expect(loaded.pipeline.origin).toBe('(defaults)');
    expect(loaded.pipeline.ingest.options.unmatched).toBe('model');
    expect(loaded.pipeline.compiledRollups).toBeUndefined();
  });
});
