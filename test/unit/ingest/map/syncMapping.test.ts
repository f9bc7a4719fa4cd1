// Mapping waits only when it must: with every look-up in memory a message maps synchronously (no
// promise, no microtask turn per step); a look-up that is a promise makes it asynchronous, and the
// result is the same either way.
import { AdtRequestError } from '../../../../shared/adt';
import { parsePipelineConfig } from '../../../../shared/config/load';
import { buildModelIndex, validateValue } from '../../../../shared/dtdl';
import { mappersFor, mapWith } from '../../../../shared/ingest/map/mapMessage';
import type { MappingContext } from '../../../../shared/ingest/map/mappingContext';
import type { DeviceMessage } from '../../../../shared/ingest/message/deviceMessage';
import { planIngest } from '../../../../shared/ingest/plan/planner';

const model = {
  '@id': 'dtmi:test:Room;1', '@type': 'Interface', '@context': 'dtmi:dtdl:context;3',
  contents: [{ '@type': 'Property', name: 'temperature', schema: 'double' }, { '@type': 'Telemetry', name: 'co2', schema: 'double' }],
};
const index = buildModelIndex([model]);
const message = (deviceId: string, seq: number, body: Record<string, unknown>): DeviceMessage => ({
  eventKey: `seq:${seq}`, sequenceNumber: seq, deviceId, enqueuedTime: '2024-01-01T00:00:00.000Z', properties: {}, systemProperties: {}, body,
});
const rules = parsePipelineConfig('ingest:\n  rules:\n    - { name: r, properties: [{ target: temperature }], telemetry: [{ fields: [co2] }] }\n', 't.yaml').ingest;
const zeroConfig = parsePipelineConfig('ingest: {}\n', 't.yaml').ingest;

const inMemory: MappingContext = { models: (id) => index.interface(id), twinModel: () => 'dtmi:test:Room;1', validateValue };
const fetched: MappingContext = { ...inMemory, twinModel: () => Promise.resolve('dtmi:test:Room;1'), loadModel: () => Promise.resolve() };

it.each([['rules', rules], ['the model mapper', zeroConfig]])('maps synchronously with %s when every look-up is in memory, asynchronously otherwise, alike', async (_, ingest) => {
  const body = { temperature: 21.5, co2: 410 };
  const now = mapWith(mappersFor(ingest), message('room-1', 1, body), ingest, inMemory);
  expect(now).not.toBeInstanceOf(Promise);
  const later = mapWith(mappersFor(ingest), message('room-1', 1, body), ingest, fetched);
  expect(later).toBeInstanceOf(Promise);
  expect(await later).toEqual(now);
  expect(now).toMatchObject({ propertyUpdates: [{ twinId: 'room-1', property: 'temperature', value: 21.5 }], telemetry: [{ twinId: 'room-1', payload: { co2: 410 } }], rejected: [] });
});

it('a JSONata transform makes only its own message wait; the plan keeps batch order', async () => {
  const ingest = parsePipelineConfig(
    'ingest:\n  rules:\n    - { name: slow, match: { deviceId: "slow-*" }, properties: [{ target: temperature, source: temperature, transform: { expression: "$ * 2" } }] }\n    - { name: fast, match: { deviceId: "fast-*" }, properties: [{ target: temperature }] }\n',
    't.yaml',
  ).ingest;
  expect(mapWith(mappersFor(ingest), message('slow-1', 1, { temperature: 1 }), ingest, inMemory)).toBeInstanceOf(Promise);
  const plan = await planIngest([message('slow-1', 1, { temperature: 1 }), message('fast-1', 2, { temperature: 5 }), message('slow-2', 3, { temperature: 3 })], ingest, inMemory);
  expect(plan.twinUpdates.map((t) => [t.twinId, t.updates[0]?.value])).toEqual([['slow-1', 2], ['fast-1', 5], ['slow-2', 6]]);
});

it('a throttled look-up fails the batch once every started mapping has settled, with no stray rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    let calls = 0;
    const context: MappingContext = {
      ...inMemory,
      twinModel: (twinId) => {
        calls += 1;
        if (twinId === 'room-3') return Promise.reject(new AdtRequestError('too many requests', 429, 'TooManyRequests'));
        return new Promise((resolve) => setTimeout(() => resolve('dtmi:test:Room;1'), 5));
      },
    };
    const messages = Array.from({ length: 200 }, (_, i) => message(`room-${i}`, i, { temperature: i }));
    await expect(planIngest(messages, rules, context)).rejects.toMatchObject({ kind: 'throttled' });
    // Nothing past the failure was started once it was known, and nothing rejected unobserved.
    expect(calls).toBeLessThan(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

it('clamps a source time past the skew even when its text sorts before the enqueued time', async () => {
  const ingest = parsePipelineConfig('ingest:\n  options: { sourceTime: ts }\n  rules: [{ name: r, properties: [{ target: temperature }] }]\n', 't.yaml').ingest;
  const at = (ts: string, enqueuedTime: string): DeviceMessage => ({ ...message('room-1', 1, { temperature: 1, ts }), enqueuedTime });
  // 2024-02-31 is 2 March: 12 h after the enqueued time, though "02-31" < "03-01" as text.
  const ahead = await planIngest([at('2024-02-31T00:00:00.000Z', '2024-03-01T12:00:00.000Z')], ingest, inMemory);
  expect(ahead.clampedSourceTimes).toBe(1);
  expect(ahead.twinUpdates[0]?.updates[0]?.sourceTime).toBe('2024-03-01T12:00:00.000Z');
  const behind = await planIngest([at('2024-03-01T11:59:00.000Z', '2024-03-01T12:00:00.000Z')], ingest, inMemory);
  expect(behind.clampedSourceTimes).toBe(0);
  expect(behind.twinUpdates[0]?.updates[0]?.sourceTime).toBe('2024-03-01T11:59:00.000Z');
});

it('lets the event loop in while it maps a large batch synchronously', async () => {
  const messages = Array.from({ length: 3000 }, (_, i) => message(`room-${i}`, i, { temperature: i }));
  let turns = 0;
  let planned = false;
  const tick = (): void => {
    if (planned) return;
    turns += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  const plan = await planIngest(messages, rules, inMemory);
  planned = true;
  expect(plan.twinUpdates).toHaveLength(3000);
  // Every message mapped without a wait, yet other callbacks ran in between (one turn per 256 messages).
  expect(turns).toBeGreaterThanOrEqual(10);
});
