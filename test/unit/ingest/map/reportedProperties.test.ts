// Reported properties from device twin change and digital twin change events: the zero-config default
// (declared Properties only, each with its own $lastUpdated as sourceTime, components included), what
// is filtered or refused, ingest.reportedProperties, and a rule naming the kind mapping tags and
// desired values instead.
import { parsePipelineConfig } from '../../../../shared/config/load';
import type { InterfaceView, PropertyDef, Schema } from '../../../../shared/dtdl/types';
import { mapMessage } from '../../../../shared/ingest/map/mapperChain';
import type { DeviceMessage } from '../../../../shared/ingest/message/deviceMessage';
import type { MessageKind } from '../../../../shared/ingest/message/messageSource';

const event = (kind: MessageKind, opType: string | undefined, body: Record<string, unknown>): DeviceMessage => ({
  eventKey: 'seq:1',
  deviceId: 'dev-1',
  enqueuedTime: '2024-01-01T00:10:00.000Z',
  properties: { operationTimestamp: '2024-01-01T00:09:59.000Z', ...(opType !== undefined && { opType }) },
  systemProperties: {},
  body,
  source: { kind, name: kind, ...(opType !== undefined && { opType }) },
});
const config = (yaml: string) => parsePipelineConfig(yaml, 'test.yaml');
const primitive = (name: 'string' | 'double'): Schema => ({ kind: 'primitive', name }) as Schema;
const prop = (name: string, schema: Schema): PropertyDef => ({ name, schema, writable: false, semanticTypes: [], definedIn: 'x' });
const view = (id: string, properties: PropertyDef[], components: Array<[string, string]> = []): InterfaceView => ({
  id,
  displayName: {},
  description: {},
  extendsChain: [],
  properties: new Map(properties.map((p) => [p.name, p])),
  telemetry: new Map(),
  components: new Map(components.map(([name, interfaceId]) => [name, { name, interfaceId, definedIn: id }])),
  relationships: new Map(),
  commands: new Set(),
});
const views = new Map([
  [
    'dtmi:x:Device;1',
    view(
      'dtmi:x:Device;1',
      [prop('fw', primitive('string')), prop('temperature', primitive('double')), prop('roomName', primitive('string'))],
      [['thermostat1', 'dtmi:x:Thermostat;1']],
    ),
  ],
  ['dtmi:x:Thermostat;1', view('dtmi:x:Thermostat;1', [prop('maxTemp', primitive('double'))])],
]);
const validateValue = (schema: Schema, value: unknown, path: string) =>
  schema.kind === 'primitive' && schema.name === 'double' && typeof value !== 'number' ? [`${path}: expected a double`] : [];
const sources = { models: (id: string) => views.get(id), twinModel: async () => 'dtmi:x:Device;1', validateValue };
const updates = (result: Awaited<ReturnType<typeof mapMessage>>) =>
  result.propertyUpdates.map((u) => [u.component ? `${u.component}/${u.property}` : u.property, u.value, u.sourceTime]);
const defaults = config('{}');
const at = (s: number) => `2024-01-01T00:09:${String(s).padStart(2, '0')}.000Z`;

describe('device twin change events', () => {
  const reported = {
    version: 7,
    tags: { roomName: 'tag' },
    properties: {
      desired: { roomName: 'desired', $version: 3 },
      reported: {
        fw: '2.1',
        temperature: 21.5,
        extra: 1,
        gone: null,
        thermostat1: { __t: 'c', maxTemp: 30 },
        $version: 4,
        $metadata: {
          $lastUpdated: at(9),
          fw: { $lastUpdated: at(1), $lastUpdatedVersion: 4 },
          temperature: { $lastUpdated: at(2) },
          thermostat1: { $lastUpdated: at(3), maxTemp: { $lastUpdated: at(4) } },
        },
      },
    },
  };

  it.each(['updateTwin', 'replaceTwin'])(
    '%s: patches every declared reported property with its own $lastUpdated, ignores desired and tags',
    async (opType) => {
      const result = await mapMessage(event('twinChangeEvents', opType, reported), defaults, sources);
      expect(updates(result)).toEqual([
        ['fw', '2.1', at(1)],
        ['temperature', 21.5, at(2)],
        ['thermostat1/maxTemp', 30, at(4)],
      ]);
      expect(result.filtered).toEqual([
        expect.objectContaining({ reason: 'unmodeled-field', detail: 'reported but not in model dtmi:x:Device;1: gone (removed), extra' }),
      ]);
    },
  );

  it('falls back to the operationTimestamp, and skips IoT Hub\'s "never" time', async () => {
    const body = { properties: { reported: { fw: '3', $metadata: { fw: { $lastUpdated: '0001-01-01T00:00:00Z' } } } } };
    expect(updates(await mapMessage(event('twinChangeEvents', 'updateTwin', body), defaults, sources))).toEqual([['fw', '3', at(59)]]);
  });

  it('refuses a value that does not fit the model, alone', async () => {
    const body = { properties: { reported: { fw: '3', temperature: 'hot' } } };
    const result = await mapMessage(event('twinChangeEvents', 'updateTwin', body), defaults, sources);
    expect(updates(result).map((u) => u[0])).toEqual(['fw']);
    expect(result.rejected.map((r) => r.reason)).toEqual(['schema-mismatch']);
  });

  it('filters a change of desired properties and tags only, and dead-letters a missing or foreign opType', async () => {
    const backEnd = await mapMessage(
      event('twinChangeEvents', 'updateTwin', { version: 8, tags: { a: 1 }, properties: { desired: { x: 1 } } }),
      defaults,
      sources,
    );
    expect(backEnd.filtered.map((f) => f.reason)).toEqual(['no-reported-change']);
    for (const op of [undefined, 'deleteTwin']) {
      expect((await mapMessage(event('twinChangeEvents', op, reported), defaults, sources)).rejected.map((r) => r.reason)).toEqual([
        'unknown-operation',
      ]);
    }
  });

  it('filters model-unknown when the twin model is not known', async () => {
    const result = await mapMessage(event('twinChangeEvents', 'updateTwin', reported), defaults, {
      ...sources,
      twinModel: async () => 'dtmi:x:Missing;1',
    });
    expect(result.filtered.map((f) => f.reason)).toEqual(['model-unknown']);
  });
});

describe('digital twin change events (JSON Patch)', () => {
  it("patches root and component values with their lastUpdateTime; a writable property's desired state is not a value", async () => {
    const patch = [
      { op: 'add', path: '/$metadata/temperature', value: { lastUpdateTime: at(5) } },
      { op: 'add', path: '/temperature', value: 42.1 },
      { op: 'add', path: '/thermostat1', value: { $metadata: { maxTemp: { lastUpdateTime: at(6) } }, maxTemp: 3.5 } },
      { op: 'add', path: '/thermostat1/$metadata/targetTemperature', value: { desiredValue: 60, desiredVersion: 2 } },
      { op: 'replace', path: '/fw', value: '9' },
      { op: 'remove', path: '/roomName' },
    ];
    const result = await mapMessage(event('digitalTwinChangeEvents', 'updateTwin', { patch }), defaults, sources);
    expect(updates(result)).toEqual([
      ['temperature', 42.1, at(5)],
      ['thermostat1/maxTemp', 3.5, at(6)],
      ['fw', '9', at(59)],
    ]);
    expect(result.filtered).toEqual([
      expect.objectContaining({ reason: 'unmodeled-field', detail: expect.stringContaining('/roomName (removed)') }),
    ]);
  });

  it('filters a patch with no reported value', async () => {
    const patch = [{ op: 'add', path: '/thermostat1/$metadata/targetTemperature', value: { desiredValue: 60 } }];
    expect(
      (await mapMessage(event('digitalTwinChangeEvents', 'updateTwin', { patch }), defaults, sources)).filtered.map((f) => f.reason),
    ).toEqual(['no-reported-change']);
  });
});

describe('configuration', () => {
  it('ingest.reportedProperties ignore filters the kind as source-not-handled', async () => {
    const cfg = config('ingest:\n  reportedProperties: { twinChangeEvents: ignore }\n');
    const body = { properties: { reported: { fw: '3' } } };
    expect((await mapMessage(event('twinChangeEvents', 'updateTwin', body), cfg, sources)).filtered.map((f) => f.reason)).toEqual([
      'source-not-handled',
    ]);
    const patch = [{ op: 'add', path: '/fw', value: '4' }];
    expect(updates(await mapMessage(event('digitalTwinChangeEvents', 'updateTwin', { patch }), cfg, sources))).toEqual([
      ['fw', '4', at(59)],
    ]);
  });

  it('a rule naming the kind maps tags, desired and reported values to other properties instead', async () => {
    const cfg = config(`ingest:
  rules:
    - name: fromTwin
      match: { source: twinChangeEvents }
      properties:
        - { target: roomName, source: tags.roomName, onMissing: skip }
        - { target: thermostat1/maxTemp, source: properties.desired.limit, onMissing: skip }
        - { target: fw, source: properties.reported.firmware, onMissing: skip }
`);
    const body = { tags: { roomName: 'Lab' }, properties: { desired: { limit: 28 }, reported: { firmware: '5.0', temperature: 1 } } };
    const result = await mapMessage(event('twinChangeEvents', 'updateTwin', body), cfg, sources);
    expect(updates(result).map((u) => [u[0], u[1]])).toEqual([
      ['roomName', 'Lab'],
      ['thermostat1/maxTemp', 28],
      ['fw', '5.0'],
    ]);
  });
});
