// Connection state events: the zero-config default (a string connectionState the model declares, the
// companion connectionStateSequence as the order guard), each configurable property, the refusals,
// and rules naming a message kind (match.source) — nothing else maps an event as telemetry.
import { parsePipelineConfig } from '../../../../shared/config/load';
import type { InterfaceView, PropertyDef, Schema } from '../../../../shared/dtdl/types';
import { normalizeSequence } from '../../../../shared/ingest/map/connectionStateMapper';
import { mapMessage } from '../../../../shared/ingest/map/mapperChain';
import type { DeviceMessage } from '../../../../shared/ingest/message/deviceMessage';
import { coalesce } from '../../../../shared/ingest/plan/coalesce';

const seq = (n: number) => n.toString(16).toUpperCase().padStart(64, '0');
const connection = (opType: string | undefined, body: Record<string, unknown>, key = 'seq:1'): DeviceMessage => ({
  eventKey: key,
  deviceId: 'dev-1',
  enqueuedTime: '2024-01-01T00:00:10.000Z',
  properties: {
    hubName: 'hub',
    deviceId: 'dev-1',
    operationTimestamp: '2024-01-01T00:00:09.5000000Z',
    ...(opType !== undefined && { opType }),
  },
  systemProperties: {},
  body,
  source: { kind: 'deviceConnectionStateEvents', name: 'deviceConnectionStateEvents', ...(opType !== undefined && { opType }) },
});
const config = (yaml: string) => parsePipelineConfig(yaml, 'test.yaml');
const primitive = (name: 'string' | 'boolean' | 'dateTime' | 'double'): Schema => ({ kind: 'primitive', name }) as Schema;
const prop = (name: string, schema: Schema): PropertyDef => ({ name, schema, writable: false, semanticTypes: [], definedIn: 'x' });
const view = (id: string, properties: PropertyDef[]): InterfaceView => ({
  id,
  displayName: {},
  description: {},
  extendsChain: [],
  properties: new Map(properties.map((p) => [p.name, p])),
  telemetry: new Map(),
  components: new Map(),
  relationships: new Map(),
  commands: new Set(),
});
const views = new Map([
  [
    'dtmi:x:Full;1',
    view('dtmi:x:Full;1', [
      prop('connectionState', primitive('string')),
      prop('connectionStateSequence', primitive('string')),
      prop('temperature', primitive('double')),
    ]),
  ],
  ['dtmi:x:StateOnly;1', view('dtmi:x:StateOnly;1', [prop('connectionState', primitive('string'))])],
  ['dtmi:x:Bool;1', view('dtmi:x:Bool;1', [prop('connectionState', primitive('boolean'))])],
  [
    'dtmi:x:Custom;1',
    view('dtmi:x:Custom;1', [
      prop('status', primitive('string')),
      prop('online', primitive('boolean')),
      prop('since', primitive('dateTime')),
      prop('seen', primitive('string')),
    ]),
  ],
]);
const validateValue = (schema: Schema, value: unknown, path: string) =>
  schema.kind === 'primitive' && schema.name === 'boolean' && typeof value !== 'boolean' ? [`${path}: expected a boolean`] : [];
const sources = (model: string) => ({ models: (id: string) => views.get(id), twinModel: async () => model, validateValue });
const written = (result: Awaited<ReturnType<typeof mapMessage>>) =>
  Object.fromEntries(result.propertyUpdates.map((u) => [u.property, u.value]));
const defaults = config('{}');

describe('zero configuration', () => {
  it("writes IoT Hub's words and the normalised sequence number, ordered by it", async () => {
    const result = await mapMessage(connection('deviceConnected', { sequenceNumber: '1a' }), defaults, sources('dtmi:x:Full;1'));
    expect(written(result)).toEqual({ connectionState: 'Connected', connectionStateSequence: seq(0x1a) });
    expect(result.propertyUpdates.every((u) => u.order?.key === seq(0x1a) && u.order.stored?.property === 'connectionStateSequence')).toBe(
      true,
    );
    // sourceTime: the operationTimestamp, normalised.
    expect(result.propertyUpdates[0]?.sourceTime).toBe('2024-01-01T00:00:09.500Z');
    const off = await mapMessage(connection('deviceDisconnected', { sequenceNumber: seq(2) }), defaults, sources('dtmi:x:Full;1'));
    expect(written(off).connectionState).toBe('Disconnected');
  });

  it('reads the Event Grid form of the sequence number too', async () => {
    const result = await mapMessage(
      connection('deviceConnected', { deviceConnectionStateEventInfo: { sequenceNumber: '0007' } }),
      defaults,
      sources('dtmi:x:Full;1'),
    );
    expect(written(result).connectionStateSequence).toBe(seq(7));
  });

  it('without the companion, writes the state alone (sourceTime guards it)', async () => {
    const result = await mapMessage(connection('deviceConnected', { sequenceNumber: '01' }), defaults, sources('dtmi:x:StateOnly;1'));
    expect(written(result)).toEqual({ connectionState: 'Connected' });
    expect(result.propertyUpdates[0]?.order).toEqual({ key: seq(1) });
  });

  it('filters a twin whose model declares no string connectionState', async () => {
    for (const model of ['dtmi:x:Bool;1', 'dtmi:x:Custom;1']) {
      const result = await mapMessage(connection('deviceConnected', { sequenceNumber: '01' }), defaults, sources(model));
      expect(result.propertyUpdates).toEqual([]);
      expect(result.filtered.map((f) => f.reason)).toEqual(['connection-state-unmodeled']);
    }
  });

  it('dead-letters a missing or foreign opType and an unreadable sequence number', async () => {
    for (const op of [undefined, 'deviceRebooted']) {
      const result = await mapMessage(connection(op, { sequenceNumber: '01' }), defaults, sources('dtmi:x:Full;1'));
      expect(result.rejected.map((r) => r.reason)).toEqual(['unknown-operation']);
    }
    for (const sequenceNumber of [undefined, 17, 'xyz', '1'.repeat(65)]) {
      const result = await mapMessage(connection('deviceConnected', { sequenceNumber }), defaults, sources('dtmi:x:Full;1'));
      expect(result.rejected.map((r) => r.reason)).toEqual(['invalid-sequence-number']);
      expect(result.propertyUpdates).toEqual([]);
    }
  });
});

describe('ingest.connectionState', () => {
  const custom = config(`ingest:
  connectionState: { property: status, connectedProperty: online, lastChangeProperty: since, sequenceProperty: seen }
`);
  it('writes other names, a boolean and the last change time', async () => {
    const result = await mapMessage(connection('deviceDisconnected', { sequenceNumber: '05' }), custom, sources('dtmi:x:Custom;1'));
    expect(written(result)).toEqual({ status: 'Disconnected', online: false, since: '2024-01-01T00:00:09.500Z', seen: seq(5) });
    expect(result.propertyUpdates[0]?.order?.stored).toEqual({ property: 'seen' });
  });

  it('dead-letters a configured property the model does not declare', async () => {
    const result = await mapMessage(connection('deviceConnected', { sequenceNumber: '05' }), custom, sources('dtmi:x:Full;1'));
    expect(result.rejected.map((r) => [r.reason, r.where])).toEqual([
      ['not-in-model', 'ingest.connectionState'],
      ['not-in-model', 'ingest.connectionState'],
      ['not-in-model', 'ingest.connectionState'],
      ['not-in-model', 'ingest.connectionState'],
    ]);
  });

  it('action ignore filters the events as source-not-handled', async () => {
    const result = await mapMessage(
      connection('deviceConnected', { sequenceNumber: '05' }),
      config('ingest:\n  connectionState: { action: ignore }\n'),
      sources('dtmi:x:Full;1'),
    );
    expect(result.propertyUpdates).toEqual([]);
    expect(result.filtered.map((f) => f.reason)).toEqual(['source-not-handled']);
  });
});

describe('message kinds and rules', () => {
  const twinChange = (body: Record<string, unknown>): DeviceMessage => ({
    eventKey: 'seq:2',
    deviceId: 'dev-1',
    enqueuedTime: '2024-01-01T00:00:10.000Z',
    properties: { opType: 'updateTwin' },
    systemProperties: {},
    body,
    source: { kind: 'twinChangeEvents', name: 'twinChangeEvents', opType: 'updateTwin' },
  });
  const body = { temperature: 5, properties: { reported: { fw: '2.1' } } };

  it('never maps an event with a telemetry rule or the model-driven default: an unhandled kind is filtered', async () => {
    const lifecycle: DeviceMessage = {
      ...twinChange(body),
      source: { kind: 'other', name: 'deviceJobLifecycleEvents', opType: 'jobCompleted' },
    };
    const cfg = config('ingest:\n  rules: [{ name: all, properties: [{ target: temperature }] }]\n');
    const result = await mapMessage(lifecycle, cfg, sources('dtmi:x:Full;1'));
    expect(result.propertyUpdates).toEqual([]);
    expect(result.telemetry).toEqual([]);
    expect(result.filtered).toEqual([
      expect.objectContaining({ reason: 'source-not-handled', detail: expect.stringContaining('deviceJobLifecycleEvents (jobCompleted)') }),
    ]);
    expect((await mapMessage(lifecycle, defaults, sources('dtmi:x:Full;1'))).filtered.map((f) => f.reason)).toEqual(['source-not-handled']);
    // A twin change's body field `temperature` is not a reported value: the default leaves it alone.
    expect((await mapMessage(twinChange(body), cfg, sources('dtmi:x:Full;1'))).propertyUpdates).toEqual([]);
  });

  it('maps an event with a rule whose match.source names its kind (and opType as a property)', async () => {
    const cfg = config(`ingest:
  rules:
    - name: firmware
      match: { source: [twinChangeEvents], properties: { opType: [updateTwin, replaceTwin] } }
      properties: [{ target: status, source: properties.reported.fw }]
`);
    expect(written(await mapMessage(twinChange(body), cfg, {}))).toEqual({ status: '2.1' });
    // The same rule leaves telemetry alone.
    const telemetry = { ...twinChange(body), source: undefined, properties: { opType: 'updateTwin' } };
    expect(written(await mapMessage(telemetry, cfg, {}))).toEqual({});
  });

  it('refuses a kind name the schema does not know', () => {
    expect(() => config('ingest:\n  rules: [{ name: r, match: { source: twinChanges }, properties: [{ target: a }] }]\n')).toThrow(
      /source/,
    );
  });
});

describe('order', () => {
  it('normalises case and length so any sequence numbers compare as text', () => {
    expect(normalizeSequence('1a')).toBe(normalizeSequence('001A'));
    expect((normalizeSequence('FF') as string) < (normalizeSequence('100') as string)).toBe(true);
    expect(normalizeSequence('0x10')).toBe(seq(16));
    expect(normalizeSequence('')).toBeUndefined();
  });

  it('coalesces a batch by sequence number, not by sourceTime or arrival', async () => {
    const late = await mapMessage(
      connection('deviceConnected', { sequenceNumber: '04' }, 'seq:9'),
      defaults,
      sources('dtmi:x:StateOnly;1'),
    );
    const early = await mapMessage(
      {
        ...connection('deviceDisconnected', { sequenceNumber: '02' }, 'seq:10'),
        properties: { opType: 'deviceDisconnected', operationTimestamp: '2024-01-01T00:05:00Z' },
      },
      defaults,
      sources('dtmi:x:StateOnly;1'),
    );
    const { twins } = coalesce([...late.propertyUpdates, ...early.propertyUpdates]);
    expect(twins[0]?.updates.map((u) => [u.value, u.eventKeys])).toEqual([['Connected', ['seq:9', 'seq:10']]]);
  });
});
