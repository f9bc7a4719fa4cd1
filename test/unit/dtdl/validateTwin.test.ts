import { buildModelIndex, validateRelationship, validateTwinDocument } from '../../../shared/dtdl';
import { allModels, meeting, room, space, thermostat } from './fixtures';

const index = buildModelIndex(allModels);

const thermostatTwin = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  $dtId: 't1',
  $metadata: { $model: thermostat['@id'], targetTemperature: { lastUpdateTime: '2024-01-01T00:00:00Z' } },
  targetTemperature: 21.5,
  deviceInfo: { $metadata: {} },
  ...extra,
});

describe('validateTwinDocument', () => {
  it('accepts a twin with typed properties and its component', () => {
    expect(
      validateTwinDocument(
        index,
        thermostatTwin({
          setpoints: { morning: 19, night: 16.5 },
          history: [20.1, 20.4],
          location: { type: 'Point', coordinates: [4.9, 52.37] },
          deviceInfo: { $metadata: {}, manufacturer: 'Contoso', firmware: { major: 2, channel: 1 } },
        }),
      ),
    ).toEqual([]);
  });

  it('reports wrong types, unknown names and telemetry stored as a property', () => {
    const issues = validateTwinDocument(index, thermostatTwin({ targetTemperature: 'hot', colour: 'red', temperature: 20 }));
    expect(issues).toEqual([
      '/targetTemperature: expected double but got string "hot"',
      expect.stringMatching(
        /^\/colour: colour is not a property of dtmi:com:contoso:Thermostat;1\. Declared properties: targetTemperature, lastMaintenance/,
      ),
      expect.stringContaining('/temperature: temperature is not a property of dtmi:com:contoso:Thermostat;1 (it is Telemetry'),
    ]);
  });

  it('requires every component, even an empty one', () => {
    const twin = thermostatTwin();
    delete twin['deviceInfo'];
    expect(validateTwinDocument(index, twin)).toEqual([
      'Twin is missing component \'deviceInfo\'. Add it, even if empty: "deviceInfo": { "$metadata": {} }.',
    ]);
  });

  it('validates component contents against the component interface', () => {
    const issues = validateTwinDocument(index, thermostatTwin({ deviceInfo: { $metadata: {}, firmware: { major: 'two' }, serial: 'x' } }));
    expect(issues).toEqual([
      '/deviceInfo/firmware/major: expected integer but got string "two"',
      expect.stringMatching(/^\/deviceInfo\/serial: serial is not a property of dtmi:com:contoso:DeviceInformation;1/),
    ]);
  });

  it('accepts inherited properties and checks enums', () => {
    const twin = { $metadata: { $model: meeting['@id'] }, name: 'Blue', seats: 8, occupancy: 'busy' };
    expect(validateTwinDocument(index, twin)).toEqual([]);
    expect(validateTwinDocument(index, { ...twin, occupancy: 'maybe' })).toEqual([
      '/occupancy: expected one of "free", "busy" (Enum<string>) but got string "maybe"',
    ]);
  });

  it('uses ADT wording when the model or one of its dependencies is missing', () => {
    expect(validateTwinDocument(index, { $metadata: { $model: 'dtmi:x:Nope;1' } })).toEqual([
      'dtmi:x:Nope;1 or one of its dependencies does not exist.',
    ]);
    const withoutSpace = buildModelIndex([room, meeting]);
    expect(validateTwinDocument(withoutSpace, { $metadata: { $model: meeting['@id'] } })).toEqual([
      `${meeting['@id']} or one of its dependencies does not exist.`,
    ]);
    expect(validateTwinDocument(index, { name: 'x' })).toEqual([expect.stringContaining('no $metadata.$model')]);
  });
});

describe('validateRelationship', () => {
  it('accepts an inherited relationship to a compatible target with typed properties', () => {
    expect(validateRelationship(index, meeting['@id'], 'contains', room['@id'], { since: '2024-01-31', $relationshipId: 'r' })).toEqual([]);
  });

  it('rejects an undeclared relationship and lists the declared ones', () => {
    expect(validateRelationship(index, room['@id'], 'feeds', space['@id'], {})).toEqual([
      `Relationship 'feeds' is not defined on ${room['@id']} or the models it extends. Declared relationships: hasThermostat, contains.`,
    ]);
  });

  it('rejects a target whose model does not match the declared target', () => {
    const issues = validateRelationship(index, room['@id'], 'hasThermostat', space['@id'], {});
    expect(issues).toEqual([expect.stringContaining(`must target a twin of model ${thermostat['@id']}`)]);
  });

  it('checks relationship property names and types', () => {
    expect(validateRelationship(index, space['@id'], 'contains', room['@id'], { since: 'last week', weight: 3 })).toEqual([
      '/since: expected date but got string "last week"',
      "/weight: weight is not a property of relationship 'contains'. Declared properties: since.",
    ]);
  });
});
