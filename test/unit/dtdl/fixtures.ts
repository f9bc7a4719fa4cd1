// Realistic DTDL documents shared by the dtdl unit tests: a building hierarchy and a thermostat with a component.

export const v2 = 'dtmi:dtdl:context;2';
export const v3 = ['dtmi:dtdl:context;3', 'dtmi:dtdl:extension:quantitativeTypes;1'];

export const space = {
  '@context': v2,
  '@id': 'dtmi:com:contoso:Space;1',
  '@type': 'Interface',
  displayName: 'Space',
  contents: [
    { '@type': 'Property', name: 'name', schema: 'string' },
    {
      '@type': 'Relationship',
      name: 'contains',
      target: 'dtmi:com:contoso:Space;1',
      properties: [{ '@type': 'Property', name: 'since', schema: 'date' }],
    },
  ],
};

export const building = {
  '@context': v2,
  '@id': 'dtmi:com:contoso:Building;1',
  '@type': 'Interface',
  extends: 'dtmi:com:contoso:Space;1',
  contents: [{ '@type': 'Property', name: 'floors', schema: 'integer' }],
};

export const room = {
  '@context': v2,
  '@id': 'dtmi:com:contoso:Room;1',
  '@type': 'Interface',
  displayName: { en: 'Room', nl: 'Kamer' },
  extends: ['dtmi:com:contoso:Space;1'],
  contents: [
    {
      '@type': 'Property',
      name: 'occupancy',
      schema: {
        '@type': 'Enum',
        valueSchema: 'string',
        enumValues: [
          { name: 'free', enumValue: 'free' },
          { name: 'busy', enumValue: 'busy' },
        ],
      },
    },
    { '@type': 'Relationship', name: 'hasThermostat', target: 'dtmi:com:contoso:Thermostat;1', maxMultiplicity: 1 },
  ],
};

export const meeting = {
  '@context': v2,
  '@id': 'dtmi:com:contoso:MeetingRoom;1',
  '@type': 'Interface',
  extends: 'dtmi:com:contoso:Room;1',
  contents: [{ '@type': 'Property', name: 'seats', schema: 'integer' }],
};

export const deviceInfo = {
  '@context': v2,
  '@id': 'dtmi:com:contoso:DeviceInformation;1',
  '@type': 'Interface',
  contents: [
    { '@type': 'Property', name: 'manufacturer', schema: 'string' },
    { '@type': 'Property', name: 'firmware', schema: 'dtmi:com:contoso:DeviceInformation:Version;1' },
  ],
  schemas: [
    {
      '@id': 'dtmi:com:contoso:DeviceInformation:Version;1',
      '@type': 'Object',
      fields: [
        { name: 'major', schema: 'integer' },
        { name: 'minor', schema: 'integer' },
        { name: 'channel', schema: 'dtmi:com:contoso:DeviceInformation:Channel;1' },
      ],
    },
    {
      '@id': 'dtmi:com:contoso:DeviceInformation:Channel;1',
      '@type': 'Enum',
      valueSchema: 'integer',
      enumValues: [
        { name: 'stable', enumValue: 1 },
        { name: 'beta', enumValue: 2 },
      ],
    },
  ],
};

export const thermostat = {
  '@context': v3,
  '@id': 'dtmi:com:contoso:Thermostat;1',
  '@type': 'Interface',
  displayName: 'Thermostat',
  contents: [
    { '@type': ['Property', 'Temperature'], name: 'targetTemperature', schema: 'double', unit: 'degreeCelsius', writable: true },
    { '@type': ['Telemetry', 'Temperature'], name: 'temperature', schema: 'double', unit: 'degreeCelsius' },
    { '@type': 'Property', name: 'lastMaintenance', schema: 'dateTime' },
    {
      '@type': 'Property',
      name: 'setpoints',
      schema: { '@type': 'Map', mapKey: { name: 'slot', schema: 'string' }, mapValue: { name: 'celsius', schema: 'double' } },
    },
    { '@type': 'Property', name: 'history', schema: { '@type': 'Array', elementSchema: 'float' } },
    { '@type': 'Property', name: 'location', schema: 'point' },
    { '@type': 'Component', name: 'deviceInfo', schema: 'dtmi:com:contoso:DeviceInformation;1' },
    { '@type': 'Command', name: 'reboot' },
  ],
};

export const allModels = [space, building, room, meeting, deviceInfo, thermostat];
