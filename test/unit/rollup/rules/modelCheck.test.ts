// Roll-up rules checked against models at load: unknown models, relationship names for the rule's
// direction, derived and `of` properties (components too), inheritance, and cycles it hides.
import { join } from 'node:path';

import { loadScenario } from '../../../../local/scenario';
import { loadPipelineConfigFile } from '../../../../shared/config';
import { buildModelIndex } from '../../../../shared/dtdl';
import { checkRollupsAgainstModels, compileRollups, type RollupRule } from '../../../../shared/rollup';

const ctx = 'dtmi:dtdl:context;3';
const prop = (name: string, schema = 'double') => ({ '@type': 'Property', name, schema });
const models = [
  { '@context': ctx, '@id': 'dtmi:t:Space;1', '@type': 'Interface', contents: [prop('temperature'), prop('area')] },
  {
    '@context': ctx,
    '@id': 'dtmi:t:Room;1',
    '@type': 'Interface',
    extends: 'dtmi:t:Space;1',
    contents: [
      prop('co2'),
      prop('peopleCount', 'integer'),
      { '@type': 'Relationship', name: 'hasDevice', target: 'dtmi:t:Sensor;1' },
      { '@type': 'Relationship', name: 'isPartOf', target: 'dtmi:t:Floor;1' },
    ],
  },
  {
    '@context': ctx,
    '@id': 'dtmi:t:Sensor;1',
    '@type': 'Interface',
    contents: [
      prop('temperature'),
      { '@type': 'Telemetry', name: 'heatingPower', schema: 'double' },
      { '@type': 'Component', name: 'env', schema: 'dtmi:t:Env;1' },
    ],
  },
  { '@context': ctx, '@id': 'dtmi:t:Env;1', '@type': 'Interface', contents: [prop('co2')] },
  {
    '@context': ctx,
    '@id': 'dtmi:t:Floor;1',
    '@type': 'Interface',
    contents: [
      prop('temperature'),
      prop('co2'),
      prop('rooms', 'integer'),
      { '@type': 'Relationship', name: 'hasRoom', target: 'dtmi:t:Room;1' },
    ],
  },
];
const index = buildModelIndex(models);

const rule = (overrides: Partial<RollupRule>): RollupRule => ({
  name: 'room-climate',
  parentModel: 'dtmi:t:Room;1',
  relationships: ['hasDevice'],
  childModel: 'dtmi:t:Sensor;1',
  properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
  ...overrides,
});
const problems = (...rules: RollupRule[]): string[] => checkRollupsAgainstModels(compileRollups({ rules }), index);

describe('roll-up rules against models', () => {
  it('accepts rules that fit, including inherited properties, components and incoming relationships', () => {
    expect(
      problems(
        rule({ properties: { temperature: { aggregate: 'avg', of: 'temperature' }, co2: { aggregate: 'max', of: 'env/co2' } } }),
        rule({
          name: 'floor',
          parentModel: 'dtmi:t:Floor;1',
          relationships: ['isPartOf'],
          direction: 'incoming',
          childModel: 'dtmi:t:Room;1',
          properties: { temperature: { aggregate: 'avg', of: 'temperature', weight: 'area' }, rooms: { aggregate: 'count' } },
        }),
      ),
    ).toEqual([]);
  });

  it('a rule for a base model accepts what its subtypes declare (relationships, derived and of properties)', () => {
    expect(
      problems(
        rule({ name: 'spaces', parentModel: 'dtmi:t:Space;1' }),
        rule({
          name: 'floor',
          parentModel: 'dtmi:t:Floor;1',
          relationships: ['hasRoom'],
          childModel: 'dtmi:t:Space;1',
          properties: { co2: { aggregate: 'max', of: 'co2' } },
        }),
      ),
    ).toEqual([]);
  });

  it('names an unknown relationship for an outgoing rule, with did-you-mean', () => {
    expect(problems(rule({ relationships: ['hasDevices'] }))).toEqual([
      'Roll-up rule "room-climate": relationship "hasDevices" is not a relationship of dtmi:t:Room;1, the parent model (direction outgoing: parent → child) (did you mean "hasDevice"?).',
    ]);
  });

  it('says when an outgoing rule names a relationship that points child → parent', () => {
    const [problem] = problems(
      rule({
        name: 'floor',
        parentModel: 'dtmi:t:Floor;1',
        relationships: ['isPartOf'],
        childModel: 'dtmi:t:Room;1',
        properties: { rooms: { aggregate: 'count' } },
      }),
    );
    expect(problem).toContain('relationship "isPartOf" is not a relationship of dtmi:t:Floor;1, the parent model');
    expect(problem).toContain('It points at the parent from the child: add direction: incoming.');
  });

  it('checks incoming relationships on the child model', () => {
    expect(
      problems(
        rule({
          name: 'floor',
          parentModel: 'dtmi:t:Floor;1',
          relationships: ['isPartof'],
          direction: 'incoming',
          childModel: 'dtmi:t:Room;1',
          properties: { rooms: { aggregate: 'count' } },
        }),
      ),
    ).toEqual([
      'Roll-up rule "floor": relationship "isPartof" is not a relationship of dtmi:t:Room;1, the child model (direction incoming: child → parent) (did you mean "isPartOf"?).',
    ]);
    expect(
      problems(
        rule({
          name: 'floor',
          parentModel: 'dtmi:t:Floor;1',
          relationships: ['hasRoom'],
          direction: 'incoming',
          childModel: 'dtmi:t:Room;1',
          properties: { rooms: { aggregate: 'count' } },
        }),
      )[0],
    ).toContain('It is a relationship of the parent model: drop direction: incoming.');
  });

  it('names parentModel and childModel not in the models, with did-you-mean', () => {
    expect(problems(rule({ parentModel: 'dtmi:t:Rom;1' }))).toEqual([
      'Roll-up rule "room-climate": parentModel dtmi:t:Rom;1 is not among the models (did you mean "dtmi:t:Room;1"?). Fix the DTMI or add the model.',
    ]);
    expect(problems(rule({ childModel: 'dtmi:t:Sensr;1' }))).toEqual([
      'Roll-up rule "room-climate": childModel dtmi:t:Sensr;1 is not among the models (did you mean "dtmi:t:Sensor;1"?). Fix the DTMI or add the model.',
    ]);
  });

  it('says when the relationship cannot lead to childModel', () => {
    expect(problems(rule({ childModel: 'dtmi:t:Floor;1' }))).toEqual([
      'Roll-up rule "room-climate": relationship "hasDevice" of dtmi:t:Room;1 targets dtmi:t:Sensor;1, which childModel dtmi:t:Floor;1 neither is nor extends: no child would ever count.',
    ]);
  });

  it('names a derived property the parent model does not declare', () => {
    expect(problems(rule({ properties: { temprature: { aggregate: 'avg', of: 'temperature' } } }))).toEqual([
      'Roll-up rule "room-climate": derived property "temprature" is not a property of dtmi:t:Room;1 (did you mean "temperature"?). Declare it in the model (ADT refuses to write undeclared properties).',
    ]);
  });

  it('names of/weight properties the child model does not have, components included, and telemetry', () => {
    expect(problems(rule({ properties: { temperature: { aggregate: 'avg', of: 'temperatur' } } }))).toEqual([
      'Roll-up rule "room-climate", property "temperature": of "temperatur" is not a property of dtmi:t:Sensor;1 (did you mean "temperature"?).',
    ]);
    expect(problems(rule({ properties: { co2: { aggregate: 'max', of: 'envv/co2' } } }))).toEqual([
      'Roll-up rule "room-climate", property "co2": of "envv/co2": dtmi:t:Sensor;1 has no component "envv" (did you mean "env"?).',
    ]);
    expect(problems(rule({ properties: { co2: { aggregate: 'max', of: 'env/co' } } }))).toEqual([
      'Roll-up rule "room-climate", property "co2": of "env/co": component "env" has no property "co" (did you mean "co2"?).',
    ]);
    expect(problems(rule({ properties: { temperature: { aggregate: 'avg', of: 'temperature', weight: 'aera' } } }))[0]).toBe(
      'Roll-up rule "room-climate", property "temperature": weight "aera" is not a property of dtmi:t:Sensor;1.',
    );
    expect(problems(rule({ properties: { temperature: { aggregate: 'sum', of: 'heatingPower' } } }))[0]).toContain(
      'It is Telemetry: twins do not store telemetry',
    );
  });

  it('without childModel checks of against the models the relationship can reach', () => {
    const { childModel: _omit, ...rest } = rule({});
    expect(problems({ ...rest, properties: { temperature: { aggregate: 'avg', of: 'temprature' } } })).toEqual([
      'Roll-up rule "room-climate", property "temperature": of "temprature" is not a property of the child models (t:Sensor;1) (did you mean "temperature"?).',
    ]);
  });

  it('finds and names a cycle that only model inheritance closes', () => {
    // Room reads temperature from any Space child; Room is a Space, so Room.temperature feeds itself.
    const spaces = rule({
      name: 'room-from-spaces',
      relationships: ['hasDevice'],
      childModel: 'dtmi:t:Space;1',
      properties: { temperature: { aggregate: 'avg', of: 'temperature' } },
    });
    const compiled = compileRollups({ rules: [spaces] }); // passes without models
    const found = checkRollupsAgainstModels(compiled, index);
    expect(found).toContain(
      'Roll-up rules form a cycle once model inheritance is followed: dtmi:t:Room;1.temperature (rule "room-from-spaces") → dtmi:t:Room;1.temperature (rule "room-from-spaces"). A derived value would feed itself forever. Break it: give the rules a childModel that excludes the parent model, or derive a differently named property.',
    );
  });

  it('a two-rule cycle through inheritance names both rules', () => {
    // Floor.temperature from its Space children (Room extends Space); Room.temperature from its floor.
    const floorFromSpaces = rule({
      name: 'floor-from-spaces',
      parentModel: 'dtmi:t:Floor;1',
      relationships: ['hasRoom'],
      childModel: 'dtmi:t:Space;1',
    });
    const roomFromFloor = rule({ name: 'room-from-floor', relationships: ['isPartOf'], childModel: 'dtmi:t:Floor;1' });
    const compiled = compileRollups({ rules: [floorFromSpaces, roomFromFloor] }); // no cycle without models
    expect(checkRollupsAgainstModels(compiled, index)).toEqual([
      'Roll-up rules form a cycle once model inheritance is followed: dtmi:t:Floor;1.temperature (rule "floor-from-spaces") → dtmi:t:Room;1.temperature (rule "room-from-floor") → dtmi:t:Floor;1.temperature (rule "floor-from-spaces"). A derived value would feed itself forever. Break it: give the rules a childModel that excludes the parent model, or derive a differently named property.',
    ]);
  });

  it('suggests models by their name, also another version', () => {
    expect(problems(rule({ childModel: 'dtmi:t:Sensor;2' }))[0]).toContain('(did you mean "dtmi:t:Sensor;1"?)');
  });
});

describe('the repository scenarios fit their models', () => {
  it.each(['building', 'rec-building'])('%s', (name) => {
    const scenario = loadScenario(join(__dirname, '../../../../local/scenarios', name));
    const { compiledRollups } = loadPipelineConfigFile(scenario.pipelineConfigPath);
    expect(compiledRollups).toBeDefined();
    expect(checkRollupsAgainstModels(compiledRollups!, buildModelIndex(scenario.models))).toEqual([]);
  });
});
