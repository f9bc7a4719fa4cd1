// What the graph shows of a twin: values with their $metadata times, derived values with the rule
// that computes them (from the roll-up configuration), one stable colour per model.
import { buildGraphView, derivationsOf, rollupRulesOf } from '../../../local/graph';

const rules = rollupRulesOf({
  rules: [
    {
      name: 'floor-climate',
      parentModel: 'dtmi:x:Floor;1',
      relationships: ['hasRoom'],
      childModel: 'dtmi:x:Room;1',
      where: 'occupied = true',
      properties: { maxTemperature: { aggregate: 'max', of: 'temperature' }, rooms: { aggregate: 'count' } },
    },
    {
      name: 'comfort',
      parentModel: 'dtmi:x:Room;1',
      relationships: ['isPartOf'],
      direction: 'incoming',
      properties: {
        comfort: {
          expression: '$t - $h',
          inputs: { t: { aggregate: 'avg', of: 'temperature' }, h: { aggregate: 'avg', of: 'humidity', weight: 'area' } },
        },
      },
    },
  ],
});

it('describes each derived property by rule, aggregate, relationship, child model and filter', () => {
  const derivations = derivationsOf(rules);
  expect(derivations['dtmi:x:Floor;1']).toEqual({
    maxTemperature: { rule: 'floor-climate', how: 'max of temperature over hasRoom → Room where occupied = true' },
    rooms: { rule: 'floor-climate', how: 'count of children over hasRoom → Room where occupied = true' },
  });
  expect(derivations['dtmi:x:Room;1']?.comfort).toEqual({
    rule: 'comfort',
    how: '$t - $h with $t = avg of temperature, $h = avg of humidity over incoming isPartOf',
  });
});

it('reads no rules from a configuration without roll-ups', () => {
  expect(rollupRulesOf(undefined)).toEqual([]);
  expect(rollupRulesOf({})).toEqual([]);
});

it("marks derived values and keeps each value's sourceTime and last change, and the twin's", () => {
  const view = buildGraphView(
    [
      {
        $dtId: 'floor-1',
        $etag: 'W/"1"',
        $metadata: {
          $model: 'dtmi:x:Floor;1',
          $lastUpdateTime: '2024-05-01T10:00:02Z',
          maxTemperature: { lastUpdateTime: '2024-05-01T10:00:02Z', sourceTime: '2024-05-01T10:00:00Z' },
          level: { lastUpdateTime: '2024-05-01T09:00:00Z' },
        },
        maxTemperature: 23.5,
        level: 1,
      },
    ],
    [],
    derivationsOf(rules),
  );
  expect(view.twins).toEqual([
    {
      id: 'floor-1',
      model: 'dtmi:x:Floor;1',
      modelName: 'Floor',
      colour: '#4e79a7',
      lastUpdateTime: '2024-05-01T10:00:02Z',
      properties: [
        { name: 'level', value: 1, lastUpdateTime: '2024-05-01T09:00:00Z' },
        {
          name: 'maxTemperature',
          value: 23.5,
          sourceTime: '2024-05-01T10:00:00Z',
          lastUpdateTime: '2024-05-01T10:00:02Z',
          derived: { rule: 'floor-climate', how: 'max of temperature over hasRoom → Room where occupied = true' },
        },
      ],
    },
  ]);
});

it("colours by model from the scenario's models, so a twin of a new model does not recolour the others", () => {
  const known = ['dtmi:x:Floor;1', 'dtmi:x:Room;1', 'dtmi:x:Sensor;1'];
  const one = buildGraphView([{ $dtId: 'r', $metadata: { $model: 'dtmi:x:Room;1' } }], [], {}, known);
  const two = buildGraphView(
    [
      { $dtId: 'r', $metadata: { $model: 'dtmi:x:Room;1' } },
      { $dtId: 's', $metadata: { $model: 'dtmi:x:Sensor;1' } },
    ],
    [],
    {},
    known,
  );
  expect(one.twins[0]?.colour).toBe(two.twins[0]?.colour);
  expect(two.twins[1]?.colour).not.toBe(two.twins[0]?.colour);
  // The legend lists the models present only.
  expect(one.models.map((m) => m.name)).toEqual(['Room']);
});
