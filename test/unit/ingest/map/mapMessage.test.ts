import { parsePipelineConfig } from '../../../../shared/config/load';
import type { InterfaceView, PropertyDef, Schema, TelemetryDef } from '../../../../shared/dtdl/types';
import { mapMessage } from '../../../../shared/ingest/map/mapperChain';
import type { DeviceMessage } from '../../../../shared/ingest/message/deviceMessage';

const message = (body: Record<string, unknown>, extra: Partial<DeviceMessage> = {}): DeviceMessage => ({
  eventKey: 'seq:5',
  sequenceNumber: 5,
  deviceId: 'thermostat-1',
  enqueuedTime: '2024-01-01T00:00:00.000Z',
  properties: {},
  systemProperties: {},
  body,
  ...extra,
});
const config = (yaml: string) => parsePipelineConfig(yaml, 'test.yaml');
const values = (result: Awaited<ReturnType<typeof mapMessage>>) =>
  Object.fromEntries(result.propertyUpdates.map((u) => [`${u.twinId}:${u.component ? `${u.component}/` : ''}${u.property}`, u.value]));

describe('rule selection', () => {
  const cfg = config(`ingest:
  rules:
    - { name: byModel, match: { modelId: "dtmi:example:*;1" }, properties: [{ target: m, source: v }] }
    - { name: byGlob, match: { deviceId: "thermo*" }, properties: [{ target: g, source: v }] }
    - { name: byRegex, match: { deviceId: "/^sensor-\\\\d+$/" }, properties: [{ target: r, source: v }] }
    - { name: byProperty, match: { properties: { kind: [a, b] } }, properties: [{ target: p, source: v }] }
    - { name: byWhen, match: { when: "v > 10 and $deviceId = 'sensor-1'" }, properties: [{ target: w, source: v }], final: true }
    - { name: never, properties: [{ target: n, source: v }] }
`);
  it('applies every matching rule, stopping after a final one', async () => {
    expect(values(await mapMessage(message({ v: 1 }, { modelId: 'dtmi:example:Thermostat;1' }), cfg))).toEqual({
      'thermostat-1:m': 1,
      'thermostat-1:g': 1,
      'thermostat-1:n': 1,
    });
    expect(values(await mapMessage(message({ v: 11 }, { deviceId: 'sensor-1', properties: { kind: 'b' } }), cfg))).toEqual({
      'sensor-1:r': 11,
      'sensor-1:p': 11,
      'sensor-1:w': 11,
    });
    expect(values(await mapMessage(message({ v: 1 }, { deviceId: 'sensor-x', properties: { kind: 'c' } }), cfg))).toEqual({
      'sensor-x:n': 1,
    });
  });

  it('filters messages no rule matches when unmatched is ignore', async () => {
    const result = await mapMessage(
      message({ v: 1 }),
      config('ingest:\n  options: { unmatched: ignore }\n  rules: [{ name: x, match: { deviceId: zzz }, properties: [{ target: a }] }]\n'),
    );
    expect(result.filtered).toEqual([{ reason: 'no-matching-rule', detail: 'no rule matches device thermostat-1' }]);
  });
});

describe('property mappings and transforms', () => {
  const cfg = config(`ingest:
  options: { sourceTime: ts }
  rules:
    - name: all
      properties:
        - { target: f2c, source: tempF, transform: { unit: { from: degreeFahrenheit, to: degC }, round: 2 } }
        - { target: k2c, source: tempK, transform: { unit: { from: K, to: degreeCelsius } } }
        - { target: psi2kpa, source: p, transform: { unit: { from: psi, to: kPa }, round: 3 } }
        - { target: bar2psi, source: b, transform: { unit: { from: bar, to: psi }, round: 1 } }
        - { target: scaled, source: raw, transform: { scale: 0.1, offset: -5 } }
        - { target: rounded, source: exact, transform: { round: 2 } }
        - { target: asInt, source: count, transform: { type: integer } }
        - { target: asBool, source: flag, transform: { type: boolean } }
        - { target: asString, source: code, transform: { type: string } }
        - { target: asNumber, source: text, transform: { type: number } }
        - { target: expr, transform: { expression: "a + b * 2" } }
        - { target: thermostat1/targetTemperature, source: setpoint }
        - { target: fromProperty, source: $properties.site }
        - { target: when, source: $enqueuedTime }
        - { target: bad, source: word, transform: { scale: 2 } }
        - { target: nested, source: "readings[1].value" }
`);
  it('applies each transform and keeps going when one value fails', async () => {
    const result = await mapMessage(
      message(
        {
          ts: '2024-01-01T00:00:09Z',
          tempF: 212,
          tempK: 273.15,
          p: 14.5038,
          b: 1,
          raw: 250,
          exact: 1.005,
          count: '41.6',
          flag: 'on',
          code: 7,
          text: ' 3.5 ',
          a: 1,
          b2: 0,
          setpoint: 21,
          word: 'abc',
          readings: [{ value: 1 }, { value: 2 }],
        },
        { properties: { site: 'hq' } },
      ),
      cfg,
    );
    expect(values(result)).toEqual({
      'thermostat-1:f2c': 100,
      'thermostat-1:k2c': 0,
      'thermostat-1:psi2kpa': 100,
      'thermostat-1:bar2psi': 14.5,
      'thermostat-1:scaled': 20,
      'thermostat-1:rounded': 1.01,
      'thermostat-1:asInt': 42,
      'thermostat-1:asBool': true,
      'thermostat-1:asString': '7',
      'thermostat-1:asNumber': 3.5,
      'thermostat-1:expr': 3,
      'thermostat-1:thermostat1/targetTemperature': 21,
      'thermostat-1:fromProperty': 'hq',
      'thermostat-1:when': '2024-01-01T00:00:00.000Z',
      'thermostat-1:nested': 2,
    });
    expect(result.rejected).toEqual([
      { reason: 'transform-failed', detail: 'scale needs a number, got string "abc"', where: 'ingest.rules[0].properties[14]' },
    ]);
    expect(result.propertyUpdates.every((u) => u.sourceTime === '2024-01-01T00:00:09.000Z' && u.sequenceNumber === 5)).toBe(true);
    expect(result.propertyUpdates.find((u) => u.property === 'targetTemperature')?.component).toBe('thermostat1');
  });

  it('filters missing values by default and dead-letters them when asked', async () => {
    const result = await mapMessage(
      message({ a: null }),
      config('ingest:\n  rules: [{ name: r, properties: [{ target: a }, { target: b, onMissing: dead-letter }] }]\n'),
    );
    expect(result.propertyUpdates).toEqual([]);
    expect(result.filtered).toEqual([{ reason: 'missing-value', detail: 'a is null', where: 'ingest.rules[0].properties[0]' }]);
    expect(result.rejected).toEqual([{ reason: 'missing-value', detail: 'b is missing', where: 'ingest.rules[0].properties[1]' }]);
  });

  it('drops or dead-letters out-of-range values as configured', async () => {
    const cfgRange = config(`ingest:
  options: { outOfRange: dead-letter }
  rules:
    - name: r
      properties:
        - { target: a, range: { min: 0, max: 10, action: drop } }
        - { target: b, range: { max: 10 } }
        - { target: c, range: { min: 0, max: 10 } }
`);
    const result = await mapMessage(message({ a: 11, b: 11, c: 10 }), cfgRange);
    expect(values(result)).toEqual({ 'thermostat-1:c': 10 });
    expect(result.filtered).toEqual([{ reason: 'out-of-range', detail: '11 is above max 10', where: 'ingest.rules[0].properties[0]' }]);
    expect(result.rejected).toEqual([{ reason: 'out-of-range', detail: '11 is above max 10', where: 'ingest.rules[0].properties[1]' }]);
  });

  it('rejects an unparseable device timestamp for the rule', async () => {
    const result = await mapMessage(
      message({ ts: 'soon', a: 1 }),
      config('ingest:\n  options: { sourceTime: ts }\n  rules: [{ name: r, properties: [{ target: a }] }]\n'),
    );
    expect(result.propertyUpdates).toEqual([]);
    expect(result.rejected[0]?.reason).toBe('invalid-source-time');
  });

  it('reports a JSONata runtime error as a rejected value', async () => {
    const result = await mapMessage(
      message({ a: 'x' }),
      config('ingest:\n  rules: [{ name: r, properties: [{ target: a, transform: { expression: "$number($) + 1" } }] }]\n'),
    );
    expect(result.rejected[0]).toEqual(expect.objectContaining({ reason: 'transform-failed', where: 'ingest.rules[0].properties[0]' }));
  });
});

describe('telemetry and twin fan-out', () => {
  it('publishes selected fields, whole bodies and expression payloads with unique message ids', async () => {
    const cfg = config(`ingest:
  rules:
    - name: r
      telemetry:
        - { fields: [power, "meta.rssi", missing] }
        - { all: true, component: thermostat1 }
        - { expression: "{ 'avg': (a + b) / 2 }" }
`);
    const result = await mapMessage(message({ power: 5, meta: { rssi: -70 }, a: 1, b: 3 }, { messageId: 'm1' }), cfg);
    expect(result.telemetry.map(({ payload, component, messageId }) => ({ payload, component, messageId }))).toEqual([
      { payload: { power: 5, rssi: -70 }, component: undefined, messageId: 'm1' },
      // Numbered per twin, components included: ADT de-duplicates Message-Ids per twin.
      { payload: { power: 5, meta: { rssi: -70 }, a: 1, b: 3 }, component: 'thermostat1', messageId: 'm1:1' },
      { payload: { avg: 2 }, component: undefined, messageId: 'm1:2' },
    ]);
  });

  it('rejects the whole message when it addresses more twins than allowed', async () => {
    const cfg = config(`ingest:
  options: { maxTwinsPerMessage: 1 }
  rules:
    - { name: a, properties: [{ target: x }] }
    - { name: b, twinId: "room-{deviceId}", properties: [{ target: x }] }
`);
    const result = await mapMessage(message({ x: 1 }), cfg);
    expect(result.propertyUpdates).toEqual([]);
    expect(result.rejected).toEqual([expect.objectContaining({ reason: 'fan-out-exceeded' })]);
  });

  it('uses the injected resolver for query strategies and reports twins not found', async () => {
    const cfg = config(
      `ingest:\n  twinId: { query: "SELECT T FROM digitaltwins T WHERE T.serial = '{deviceId}'" }\n  rules: [{ name: r, properties: [{ target: x }] }]\n`,
    );
    const found = await mapMessage(message({ x: 1 }), cfg, {
      resolveTwins: async () => ({ ok: true, twins: [{ twinId: 'a' }, { twinId: 'b' }] }),
    });
    expect(values(found)).toEqual({ 'a:x': 1, 'b:x': 1 });
    const missing = await mapMessage(message({ x: 1 }), cfg, {
      resolveTwins: async () => ({ ok: false, reason: 'twin-not-found', detail: 'none' }),
    });
    expect(missing.rejected).toEqual([{ reason: 'twin-not-found', detail: 'none', where: 'ingest.rules[0]' }]);
  });
});

describe('model-driven default mapping', () => {
  const primitive = (name: 'double' | 'boolean' | 'integer'): Schema => ({ kind: 'primitive', name });
  const prop = (name: string, schema: Schema): PropertyDef => ({ name, schema, writable: false, semanticTypes: [], definedIn: 'x' });
  const tel = (name: string): TelemetryDef => ({ name, schema: primitive('double'), semanticTypes: [], definedIn: 'x' });
  const view = (
    id: string,
    properties: PropertyDef[],
    telemetry: TelemetryDef[],
    components: Array<[string, string]> = [],
  ): InterfaceView => ({
    id,
    displayName: {},
    description: {},
    extendsChain: [],
    properties: new Map(properties.map((p) => [p.name, p])),
    telemetry: new Map(telemetry.map((t) => [t.name, t])),
    components: new Map(components.map(([name, interfaceId]) => [name, { name, interfaceId, definedIn: id }])),
    relationships: new Map(),
    commands: new Set(),
  });
  const views = new Map([
    [
      'dtmi:x:Controller;1',
      view('dtmi:x:Controller;1', [prop('serial', primitive('double'))], [tel('workingSet')], [['thermostat1', 'dtmi:x:Thermostat;1']]),
    ],
    ['dtmi:x:Thermostat;1', view('dtmi:x:Thermostat;1', [prop('targetTemperature', primitive('double'))], [tel('temperature')])],
  ]);
  const models = (id: string) => views.get(id);
  const validateValue = (schema: Schema, value: unknown, path: string) =>
    schema.kind === 'primitive' && schema.name === 'double' && typeof value !== 'number' ? [`${path}: expected a double`] : [];
  const defaults = config('{}');

  it('patches declared properties, publishes declared telemetry and reports the rest', async () => {
    const result = await mapMessage(
      message(
        { serial: 7, workingSet: 12, thermostat1: { targetTemperature: 21, temperature: 20 }, extra: 1 },
        { modelId: 'dtmi:x:Controller;1' },
      ),
      defaults,
      { models, validateValue },
    );
    expect(values(result)).toEqual({ 'thermostat-1:serial': 7, 'thermostat-1:thermostat1/targetTemperature': 21 });
    expect(result.telemetry.map((t) => [t.component, t.payload])).toEqual([
      ['thermostat1', { temperature: 20 }],
      [undefined, { workingSet: 12 }],
    ]);
    expect(result.filtered).toEqual([
      expect.objectContaining({ reason: 'unmodeled-field', detail: 'not in model dtmi:x:Controller;1: extra' }),
    ]);
  });

  it('maps into the component named by dt-subject and prefers the twin model', async () => {
    const result = await mapMessage(message({ targetTemperature: 'warm', temperature: 19 }, { component: 'thermostat1' }), defaults, {
      models,
      validateValue,
      twinModel: async () => 'dtmi:x:Controller;1',
    });
    expect(result.propertyUpdates).toEqual([]);
    expect(result.rejected).toEqual([
      { reason: 'schema-mismatch', detail: '/thermostat1/targetTemperature: expected a double', twinId: 'thermostat-1' },
    ]);
    expect(result.telemetry[0]).toEqual(
      expect.objectContaining({ component: 'thermostat1', payload: { temperature: 19 }, twinId: 'thermostat-1' }),
    );
  });

  it('filters with model-unknown when no model is available', async () => {
    const result = await mapMessage(message({ a: 1 }), defaults, { models });
    expect(result.filtered).toEqual([expect.objectContaining({ reason: 'model-unknown', twinId: 'thermostat-1' })]);
  });

  it('checks rule targets against the twin model when models are given', async () => {
    const cfg = config(
      'ingest:\n  rules: [{ name: r, properties: [{ target: serial }, { target: nope, source: serial }, { target: thermostat9/x, source: serial }] }]\n',
    );
    const result = await mapMessage(message({ serial: 3 }, { modelId: 'dtmi:x:Controller;1' }), cfg, { models });
    expect(values(result)).toEqual({ 'thermostat-1:serial': 3 });
    expect(result.rejected.map((r) => r.reason)).toEqual(['not-in-model', 'unknown-component']);
  });
});
