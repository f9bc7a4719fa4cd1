// Mapping is plain synchronous code: a batch's look-ups are gathered and answered first (in parallel,
// bounded), then every message maps at once. Look-ups answered from memory or by a promise give the
// same result; only rules with JSONata expressions wait (before mapping), and only their messages.
import { AdtRequestError } from '../../../../shared/adt';
import { parsePipelineConfig } from '../../../../shared/config/load';
import { buildModelIndex, validateValue } from '../../../../shared/dtdl';
import type { LookupSources } from '../../../../shared/ingest/map/lookupSources';
import { mappersFor, mapPrepared, prepareBatch } from '../../../../shared/ingest/map/mapperChain';
import type { DeviceMessage } from '../../../../shared/ingest/message/deviceMessage';
import { planIngest } from '../../../../shared/ingest/plan/planner';

const model = {
  '@id': 'dtmi:test:Room;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double' },
    { '@type': 'Telemetry', name: 'co2', schema: 'double' },
  ],
};
const index = buildModelIndex([model]);
const message = (deviceId: string, seq: number, body: Record<string, unknown>): DeviceMessage => ({
  eventKey: `seq:${seq}`,
  sequenceNumber: seq,
  deviceId,
  enqueuedTime: '2024-01-01T00:00:00.000Z',
  properties: {},
  systemProperties: {},
  body,
});
const rules = parsePipelineConfig(
  'ingest:\n  rules:\n    - { name: r, properties: [{ target: temperature }], telemetry: [{ fields: [co2] }] }\n',
  't.yaml',
).ingest;
const zeroConfig = parsePipelineConfig('ingest: {}\n', 't.yaml').ingest;

const inMemory: LookupSources = { models: (id) => index.interface(id), twinModel: () => 'dtmi:test:Room;1', validateValue };
const fetched: LookupSources = { ...inMemory, twinModel: () => Promise.resolve('dtmi:test:Room;1'), loadModel: () => Promise.resolve() };

const mapOne = async (ingest: typeof rules, message: DeviceMessage, sources: LookupSources) => {
  const mappers = mappersFor(ingest);
  const { prepared, lookups } = await prepareBatch([message], ingest, mappers, sources);
  // Once prepared, mapping returns its result itself: no promise.
  const result = mapPrepared(mappers, prepared[0] as NonNullable<(typeof prepared)[0]>, lookups);
  expect(result).not.toBeInstanceOf(Promise);
  return { result, prepared: prepared[0] };
};

it.each([
  ['rules', rules],
  ['the model mapper', zeroConfig],
])('maps alike with %s whether look-ups answer from memory or by a promise', async (_, ingest) => {
  const body = { temperature: 21.5, co2: 410 };
  const now = (await mapOne(ingest, message('room-1', 1, body), inMemory)).result;
  const later = (await mapOne(ingest, message('room-1', 1, body), fetched)).result;
  expect(later).toEqual(now);
  expect(now).toMatchObject({
    propertyUpdates: [{ twinId: 'room-1', property: 'temperature', value: 21.5 }],
    telemetry: [{ twinId: 'room-1', payload: { co2: 410 } }],
    rejected: [],
  });
});

it('asks each twin model and each query once per batch, however many messages need it', async () => {
  const asked: string[] = [];
  const sources: LookupSources = { ...inMemory, twinModel: (twinId) => (asked.push(twinId), Promise.resolve('dtmi:test:Room;1')) };
  const plan = await planIngest(
    [message('room-1', 1, { temperature: 1 }), message('room-2', 2, { temperature: 2 }), message('room-1', 3, { temperature: 3 })],
    rules,
    sources,
  );
  expect(asked.sort()).toEqual(['room-1', 'room-2']);
  expect(plan.twinUpdates.map((t) => [t.twinId, t.updates[0]?.value])).toEqual([
    ['room-1', 3],
    ['room-2', 2],
  ]);
});

it('a JSONata transform makes only its own message wait, before mapping; the plan keeps batch order', async () => {
  const ingest = parsePipelineConfig(
    'ingest:\n  rules:\n    - { name: slow, match: { deviceId: "slow-*" }, properties: [{ target: temperature, source: temperature, transform: { expression: "$ * 2" } }] }\n    - { name: fast, match: { deviceId: "fast-*" }, properties: [{ target: temperature }] }\n',
    't.yaml',
  ).ingest;
  expect((await mapOne(ingest, message('slow-1', 1, { temperature: 1 }), inMemory)).prepared?.expressions).toBeDefined();
  expect((await mapOne(ingest, message('fast-1', 1, { temperature: 1 }), inMemory)).prepared?.expressions).toBeUndefined();
  const plan = await planIngest(
    [message('slow-1', 1, { temperature: 1 }), message('fast-1', 2, { temperature: 5 }), message('slow-2', 3, { temperature: 3 })],
    ingest,
    inMemory,
  );
  expect(plan.twinUpdates.map((t) => [t.twinId, t.updates[0]?.value])).toEqual([
    ['slow-1', 2],
    ['fast-1', 5],
    ['slow-2', 6],
  ]);
});

it('a look-up that fails for good fails only the messages that need it', async () => {
  const sources: LookupSources = {
    ...inMemory,
    twinModel: (twinId) =>
      twinId === 'room-2' ? Promise.reject(new AdtRequestError('forbidden', 403, 'Forbidden')) : Promise.resolve('dtmi:test:Room;1'),
  };
  const plan = await planIngest(
    [message('room-1', 1, { temperature: 1 }), message('room-2', 2, { temperature: 2 }), message('room-3', 3, { temperature: 3 })],
    rules,
    sources,
  );
  expect(plan.twinUpdates.map((t) => t.twinId)).toEqual(['room-1', 'room-3']);
  expect(plan.rejected).toEqual([{ eventKey: 'seq:2', reason: 'mapping-failed', detail: expect.stringContaining('forbidden') }]);
});

it('a throttled look-up fails the batch once every started mapping has settled, with no stray rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    let calls = 0;
    const context: LookupSources = {
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
  const ingest = parsePipelineConfig(
    'ingest:\n  options: { sourceTime: ts }\n  rules: [{ name: r, properties: [{ target: temperature }] }]\n',
    't.yaml',
  ).ingest;
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
