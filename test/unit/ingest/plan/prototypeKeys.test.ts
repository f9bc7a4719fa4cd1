// Keys a message could use to reach an object's prototype (`__proto__`, `constructor`, `prototype`, at
// any depth, in the body, a component, a Map or Object value, or the application properties) never
// become a property, a prototype or a template value. Decoding removes them (the message keeps the rest
// and is marked filtered `prototype-key`); a transform that produces one has its value refused.
import { parsePipelineConfig } from '../../../../shared/config/load';
import { buildModelIndex, validateValue } from '../../../../shared/dtdl';
import { decodeEvent } from '../../../../shared/ingest/decode/decodeEvent';
import { mapMessage } from '../../../../shared/ingest/map';
import type { DeviceMessage, RawEvent } from '../../../../shared/ingest/message/deviceMessage';
import { planIngest } from '../../../../shared/ingest/plan/planner';

const sensorModel = {
  '@id': 'dtmi:test:Sensor;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [{ '@type': 'Property', name: 'battery', schema: 'integer' }],
};
const roomModel = {
  '@id': 'dtmi:test:Room;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double' },
    { '@type': 'Property', name: 'flowRate', schema: 'double' },
    { '@type': 'Property', name: 'label', schema: 'string' },
    {
      '@type': 'Property',
      name: 'setpoints',
      schema: { '@type': 'Map', mapKey: { name: 'zone', schema: 'string' }, mapValue: { name: 'celsius', schema: 'double' } },
    },
    { '@type': 'Component', name: 'sensor', schema: 'dtmi:test:Sensor;1' },
  ],
};
const index = buildModelIndex([roomModel, sensorModel]);
const context = { models: (id: string) => index.interface(id), twinModel: () => roomModel['@id'], validateValue };
const zeroConfig = parsePipelineConfig('{}', 'test.yaml');
const ts = '2024-06-01T12:00:00.000Z';

const raw = (text: string, properties: Record<string, unknown> = {}): RawEvent => ({
  body: Buffer.from(text, 'utf8'),
  index: 0,
  sequenceNumber: 7,
  properties,
  systemProperties: { 'iothub-connection-device-id': 'room-1', 'iothub-enqueuedtime': '2024-06-01T12:00:01.000Z' },
});
const decoded = (event: RawEvent): DeviceMessage => {
  const result = decodeEvent(event);
  if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
  return result.message;
};
const writes = (plan: Awaited<ReturnType<typeof planIngest>>) =>
  plan.twinUpdates.flatMap((t) =>
    t.updates.map(
      (u) => `${[u.component, u.property, ...(u.subPath ?? [])].filter((s) => s !== undefined).join('/')}=${JSON.stringify(u.value)}`,
    ),
  );

afterEach(() => {
  expect(({} as Record<string, unknown>).flowRate).toBeUndefined();
  expect(({} as Record<string, unknown>).label).toBeUndefined();
});

describe('zero-config model mapping', () => {
  it('does not write the fields of a __proto__ object (issue 24.1)', async () => {
    const plan = await planIngest(
      [decoded(raw(`{"__proto__": {"flowRate": 99, "label": "polluted"}, "ts": "${ts}"}`))],
      zeroConfig,
      context,
    );
    expect(writes(plan)).toEqual([]);
    // Filtered, first for the removed key (`ts` is not in the model either).
    expect(plan.filtered).toEqual([
      { eventKey: 'seq:7', reason: 'prototype-key' },
      { eventKey: 'seq:7', reason: 'unmodeled-field' },
    ]);
  });

  it('keeps the rest of the message and reports what it removed', async () => {
    const message = decoded(
      raw(
        `{"__proto__": {"flowRate": 99}, "temperature": 21, "sensor": {"constructor": {"battery": 1}, "battery": 80}, "setpoints": {"__proto__": 5, "north": 18}, "ts": "${ts}"}`,
      ),
    );
    const plan = await planIngest([message], zeroConfig, context);
    expect(writes(plan).sort()).toEqual(['sensor/battery=80', 'setpoints/north=18', 'temperature=21']);
    const result = await mapMessage(message, zeroConfig, context);
    expect(result.filtered).toEqual(
      expect.arrayContaining([
        { reason: 'prototype-key', detail: expect.stringContaining('/__proto__, /sensor/constructor, /setpoints/__proto__') },
      ]),
    );
  });

  it.each(['__proto__', 'constructor', 'prototype'])('removes %s at any depth, in arrays too', async (key) => {
    const message = decoded(
      raw(`{"label": "ok", "a": [{"b": {"${key}": {"label": "polluted"}}}], "${key}": {"label": "polluted"}, "ts": "${ts}"}`),
    );
    expect(JSON.stringify(message.body)).not.toContain(key);
    expect(writes(await planIngest([message], zeroConfig, context))).toEqual(['label="ok"']);
  });

  it('removes them from an already-parsed body without changing the object the trigger delivered', () => {
    const body = JSON.parse(`{"__proto__": {"label": "polluted"}, "temperature": 1}`) as Record<string, unknown>;
    const message = decoded({ ...raw(''), body });
    expect(Object.keys(message.body)).toEqual(['temperature']);
    expect(Object.keys(body)).toEqual(['__proto__', 'temperature']);
  });

  it('removes them from the application properties', () => {
    const properties = JSON.parse('{"__proto__": "x", "site": "hq"}') as Record<string, unknown>;
    const message = decoded(raw(`{"temperature": 1}`, properties));
    expect(Object.keys(message.properties)).toEqual(['site']);
    expect(message.prototypeKeys).toEqual(['$properties/__proto__']);
  });

  it('never maps such a key even when a body reaches mapping without decoding', async () => {
    const body = JSON.parse(`{"__proto__": {"flowRate": 99, "label": "polluted"}, "setpoints": {"__proto__": 3}, "ts": "${ts}"}`) as Record<
      string,
      unknown
    >;
    const message: DeviceMessage = { eventKey: 'seq:1', deviceId: 'room-1', enqueuedTime: ts, properties: {}, systemProperties: {}, body };
    const result = await mapMessage(message, zeroConfig, context);
    expect(result.propertyUpdates).toEqual([]);
  });
});

describe('rules', () => {
  it('refuses a transform result that carries such a key', async () => {
    const config = parsePipelineConfig(
      `ingest:
  rules:
    - name: r
      properties:
        - { target: setpoints, transform: { expression: '{"__proto__": {"north": 1}, "south": 2}' } }
        - { target: temperature, source: temperature }
`,
      'test.yaml',
    );
    const message: DeviceMessage = {
      eventKey: 'seq:1',
      deviceId: 'room-1',
      enqueuedTime: ts,
      properties: {},
      systemProperties: {},
      body: { temperature: 20 },
    };
    const result = await mapMessage(message, config, context);
    expect(result.propertyUpdates.map((u) => [u.property, u.subPath, u.value])).toEqual([['temperature', undefined, 20]]);
    expect(result.rejected).toEqual([expect.objectContaining({ reason: 'prototype-key' })]);
  });
});
