import { readFileSync } from 'node:fs';

import Ajv from 'ajv';

import { parsePipelineConfig } from '../../../../shared/config/load';
import type { RollupRule } from '../../../../shared/rollup';
import { compileRollups, RollupConfigError, rollupsSchema } from '../../../../shared/rollup';
import { rollupsOf } from '../../../../shared/worker';
import { buildingRules, M } from '../fixtures';

describe('compileRollups', () => {
  it('compiles the building chain and measures its depth', () => {
    const compiled = compileRollups({ rules: buildingRules, settings: { floatTolerance: 0.001 } });
    expect(compiled.rules.map((r) => r.name)).toEqual(['room', 'floor', 'building']);
    expect(compiled.depth).toBe(3);
    expect(compiled.settings.floatTolerance).toBe(0.001);
    expect(compiled.settings.maxHops).toBe(32);
  });

  it('rejects a cycle and names every step of it', () => {
    const rules: RollupRule[] = [
      {
        name: 'a',
        parentModel: M.room,
        relationships: ['contains'],
        childModel: M.floor,
        properties: { x: { aggregate: 'max', of: 'y' } },
      },
      {
        name: 'b',
        parentModel: M.floor,
        relationships: ['contains'],
        childModel: M.room,
        properties: { y: { aggregate: 'sum', of: 'x' } },
      },
    ];
    expect(() => compileRollups(rules)).toThrow(RollupConfigError);
    expect(() => compileRollups(rules)).toThrow(
      'Roll-up rules form a cycle: dtmi:test:Room;1.x (rule "a") → dtmi:test:Floor;1.y (rule "b") → dtmi:test:Room;1.x (rule "a")',
    );
  });

  it('treats a rule without childModel as reading every model, so a property feeding itself is a cycle', () => {
    const rules: RollupRule[] = [
      {
        name: 'self',
        parentModel: M.room,
        relationships: ['contains'],
        properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
      },
    ];
    expect(() => compileRollups(rules)).toThrow(/cycle: dtmi:test:Room;1\.temperature \(rule "self"\) → dtmi:test:Room;1\.temperature/);
  });

  it('sees cycles through inheritance when model relations are supplied', () => {
    const rules: RollupRule[] = [
      {
        name: 'a',
        parentModel: M.smartThermostat,
        relationships: ['feeds'],
        childModel: M.room,
        properties: { t: { aggregate: 'max', of: 'temperature' } },
      },
      {
        name: 'b',
        parentModel: M.room,
        relationships: ['contains'],
        childModel: M.thermostat,
        properties: { temperature: { aggregate: 'avg', of: 't' } },
      },
    ];
    expect(() => compileRollups(rules)).not.toThrow();
    const overlap = (model: string, base: string) => model === base || (model === M.smartThermostat && base === M.thermostat);
    expect(() => compileRollups(rules, { modelsOverlap: overlap })).toThrow(/cycle/);
  });

  it('counts where-filter properties as inputs', () => {
    const [rule] = compileRollups([{ ...buildingRules[0]!, where: "status != 'offline' and mode.kind = 'auto'" }]).rules;
    expect([...rule!.inputProperties].sort()).toEqual(['kind', 'mode', 'status', 'temperature']);
  });

  it('rejects two rules deriving the same property of the same model', () => {
    const dup = { ...buildingRules[0]!, name: 'room2' };
    expect(() => compileRollups([buildingRules[0]!, dup])).toThrow(
      'Roll-up rules "room" and "room2" both derive dtmi:test:Room;1.temperature',
    );
  });

  it('rejects a JSONata expression that does not parse, naming rule and property', () => {
    const rules: RollupRule[] = [
      {
        name: 'bad',
        parentModel: M.room,
        relationships: ['contains'],
        childModel: M.thermostat,
        properties: { c: { expression: '$avg +', inputs: { avg: { aggregate: 'avg', of: 'temperature' } } } },
      },
    ];
    expect(() => compileRollups(rules)).toThrow(/Roll-up rule "bad", property "c": JSONata expression "\$avg \+" does not parse/);
  });

  it('rejects maxHops below the depth of the chain', () => {
    expect(() => compileRollups({ rules: buildingRules, settings: { maxHops: 2 } })).toThrow('Set maxHops to at least 3');
  });

  it('schema: accepts the building rules, rejects a non-count aggregate without "of" and unknown aggregates', () => {
    const validate = new Ajv({ strict: true, allErrors: true }).compile(rollupsSchema);
    expect(validate({ rules: buildingRules })).toBe(true);
    expect(validate({ rules: [{ ...buildingRules[0]!, properties: { n: { aggregate: 'count' } } }] })).toBe(true);
    expect(validate({ rules: [{ ...buildingRules[0]!, properties: { t: { aggregate: 'avg' } } }] })).toBe(false);
    expect(validate({ rules: [{ ...buildingRules[0]!, properties: { t: { aggregate: 'mode', of: 't' } } }] })).toBe(false);
  });
});

describe('roll-ups in the pipeline configuration file', () => {
  it('rejects a file whose rules form a cycle, naming it', () => {
    const yaml = `
rollups:
  rules:
    - { name: up, parentModel: "dtmi:x:A;1", relationships: [r], childModel: "dtmi:x:B;1", properties: { a: { aggregate: max, of: b } } }
    - { name: down, parentModel: "dtmi:x:B;1", relationships: [r], childModel: "dtmi:x:A;1", properties: { b: { aggregate: min, of: a } } }
`;
    expect(() => rollupsOf(parsePipelineConfig(yaml, 'cycle.yaml'))).toThrow(
      'Roll-up rules form a cycle: dtmi:x:A;1.a (rule "up") → dtmi:x:B;1.b (rule "down") → dtmi:x:A;1.a (rule "up")',
    );
  });

  it('loads the sample building rules', () => {
    const compiled = rollupsOf(parsePipelineConfig(readFileSync('local/scenarios/building/pipeline.yaml', 'utf8'), 'pipeline.yaml'));
    expect(compiled.rules.map((r) => r.name)).toEqual([
      'room-climate',
      'room-air',
      'room-occupancy',
      'floor-climate',
      'floor-occupied-rooms',
      'building',
    ]);
    expect(compiled.depth).toBe(3);
  });
});
