// One owner of "does this value fit the twin's model": mapping checks every value against the twin's
// DTDL model (map/modelFit) and refuses a value that does not fit alone, with one code per fault.
import { parsePipelineConfig } from '../../../../shared/config/load';
import { buildModelIndex, validateValue } from '../../../../shared/dtdl';
import { type LookupSources, mapMessage } from '../../../../shared/ingest/map';
import type { DeviceMessage } from '../../../../shared/ingest/message/deviceMessage';

const sensorModel = {
  '@id': 'dtmi:fit:Sensor;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [{ '@type': 'Property', name: 'battery', schema: 'integer' }],
};
const roomModel = {
  '@id': 'dtmi:fit:Room;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double' },
    { '@type': 'Property', name: 'occupied', schema: 'boolean' },
    {
      '@type': 'Property',
      name: 'setpoints',
      schema: { '@type': 'Map', mapKey: { name: 'zone', schema: 'string' }, mapValue: { name: 'celsius', schema: 'double' } },
    },
    { '@type': 'Component', name: 'sensor', schema: 'dtmi:fit:Sensor;1' },
  ],
};
const index = buildModelIndex([roomModel, sensorModel]);
const context: LookupSources = { models: (id) => index.interface(id), twinModel: () => roomModel['@id'], validateValue };
const message = (body: Record<string, unknown>): DeviceMessage => ({
  eventKey: 'seq:1',
  deviceId: 'room-1',
  enqueuedTime: '2024-01-01T00:00:00.000Z',
  properties: {},
  systemProperties: {},
  body,
});
const rules = parsePipelineConfig(
  `ingest:
  rules:
    - name: r
      properties:
        - { target: temperature, source: t }
        - { target: occupied, source: o }
        - { target: nope, source: t }
        - { target: sensor/battery, source: b }
        - { target: sensor9/battery, source: b }
        - { target: setpoints, source: s }
`,
  'test.yaml',
);
const written = (result: Awaited<ReturnType<typeof mapMessage>>) =>
  result.propertyUpdates.map((u) => [u.component, u.property, u.subPath?.[0], u.value].filter((x) => x !== undefined).join('/'));

describe('rules', () => {
  it('refuses each value that does not fit alone, one code per fault, and keeps the rest', async () => {
    const result = await mapMessage(message({ t: 21, o: 'yes', b: 80, s: { north: 18, south: 'warm' } }), rules, context);
    expect(written(result)).toEqual(['temperature/21', 'sensor/battery/80', 'setpoints/north/18']);
    expect(result.rejected.map((r) => [r.reason, r.where, r.twinId])).toEqual([
      ['schema-mismatch', 'ingest.rules[0].properties[1]', 'room-1'],
      ['not-in-model', 'ingest.rules[0].properties[2]', 'room-1'],
      ['unknown-component', 'ingest.rules[0].properties[4]', 'room-1'],
      ['schema-mismatch', 'ingest.rules[0].properties[5]', 'room-1'],
    ]);
    expect(result.rejected[0]?.detail).toMatch(/\/occupied: expected boolean/);
    expect(result.rejected[3]?.detail).toMatch(/\/setpoints\/south/);
  });

  it("refuses with model-unavailable when the twin's own model cannot be loaded", async () => {
    const result = await mapMessage(message({ t: 21 }), rules, { ...context, twinModel: () => 'dtmi:fit:Gone;1' });
    expect(result.propertyUpdates).toEqual([]);
    expect(new Set(result.rejected.map((r) => r.reason))).toEqual(new Set(['model-unavailable']));
  });

  it('writes unchecked when no models are given (pure mapping, as in tests and without ADT)', async () => {
    const result = await mapMessage(message({ t: 21, o: 'yes' }), rules);
    expect(written(result)).toEqual(['temperature/21', 'occupied/yes', 'nope/21']);
  });
});

describe('zero-config model mapping', () => {
  const zero = parsePipelineConfig('{}', 'test.yaml');
  it('uses the same check and codes', async () => {
    const result = await mapMessage(message({ temperature: 'hot', occupied: true, sensor: { battery: 1.5 } }), zero, context);
    expect(written(result)).toEqual(['occupied/true']);
    expect(result.rejected.map((r) => r.reason)).toEqual(['schema-mismatch', 'schema-mismatch']);
  });
});
