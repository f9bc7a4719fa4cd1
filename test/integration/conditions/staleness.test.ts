// Staleness through the emulator, with one clock advanced for the emulator (its $lastUpdateTime)
// and the pipeline alike: a silent sensor is found by the sweep's query on
// $metadata.$lastUpdateTime, marked stale, and leaves its room's average (a roll-up `where` on
// freshness) within that one sweep — no message from it needed; its next reading brings it back.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { setEmulatorClock } from '../../../local/emulator/clock';
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { startLocalMetrics } from '../../../local/runner/localMetrics';
import { AdtGateway } from '../../../shared/adt/gateway';
import { SdkAdtPort } from '../../../shared/adt/sdkPort';
import { parsePipelineConfig } from '../../../shared/config/load';
import { GatewayRollupPort, Propagator, sweepConditions } from '../../../shared/rollup';
import { rollupsOf } from '../../../shared/worker';
import { sample } from '../../e2e/support/prometheus';
import { createTestClient } from '../../support/emulatorClient';
import { manualClock } from './harness';

const ROOM = 'dtmi:test:stale:Room;1';
const SENSOR = 'dtmi:test:stale:Sensor;1';
const models = [
  {
    '@id': SENSOR,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;3',
    contents: [
      { '@type': 'Property', name: 'temperature', schema: 'double' },
      { '@type': 'Property', name: 'stale', schema: 'boolean' },
    ],
  },
  {
    '@id': ROOM,
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;3',
    contents: [
      { '@type': 'Property', name: 'temperature', schema: 'double' },
      { '@type': 'Property', name: 'cold', schema: 'boolean' },
      { '@type': 'Relationship', name: 'hasSensor', target: SENSOR },
    ],
  },
];
const pipeline = `
rollups:
  settings: { queryLagSeconds: 0.05, gatherMilliseconds: 0 }
  rules:
    - name: room
      parentModel: "${ROOM}"
      relationships: [hasSensor]
      childModel: "${SENSOR}"
      where: "$not(stale = true)"
      properties: { temperature: { aggregate: avg, of: temperature } }
  staleness:
    - { model: "${SENSOR}", maxAge: 900 }
  conditions:
    - { name: cold, model: "${ROOM}", when: "temperature < 21", write: { property: cold } }
`;

let emulator: EmulatorHandle;
let client: DigitalTwinsClient;
let propagator: Propagator;
let port: GatewayRollupPort;
const clock = manualClock(Date.now());

beforeAll(async () => {
  setEmulatorClock(() => clock.now());
  emulator = await startEmulator({
    limits: { perTwinWritesPerSecond: 1000 },
    endpoints: [{ name: 'propagate', kind: 'subscriber', schema: 'CloudEvents' }],
  });
  client = createTestClient(emulator);
  await client.createModels(models);
  port = new GatewayRollupPort(new AdtGateway({ port: new SdkAdtPort(client), retryPolicy: { baseDelayMs: 5, maxDelayMs: 50 } }));
  propagator = new Propagator({ compiled: rollupsOf(parsePipelineConfig(pipeline, 'pipeline.yaml', { models })), port, clock });
  const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  emulator.events.subscribe('propagate', async (event) => void (await propagator.handle(event, quiet)));
  await client.upsertEventRoute('r', 'propagate', 'true');
  await client.upsertDigitalTwin('room', JSON.stringify({ $metadata: { $model: ROOM } }));
  for (const s of ['s1', 's2']) {
    await client.upsertDigitalTwin(s, JSON.stringify({ $metadata: { $model: SENSOR } }));
    await client.upsertRelationship('room', `has-${s}`, { $relationshipName: 'hasSensor', $targetId: s });
  }
});
afterAll(async () => {
  propagator.close();
  await emulator.close();
  setEmulatorClock();
});

const settle = async (): Promise<void> => {
  do {
    await emulator.events.idle();
    await propagator.idle();
    await emulator.events.idle();
  } while (propagator.pendingRefreshes > 0);
};
const read = async (id: string, value: number): Promise<void> => {
  await client.updateDigitalTwin(id, [{ op: 'add', path: '/temperature', value }]);
  await settle();
};
const twin = async (id: string): Promise<Record<string, unknown>> => (await client.getDigitalTwin(id)).body as Record<string, unknown>;
const MIN = 60_000;

it('a silent sensor goes stale in one sweep and leaves the average; its next reading brings it back', async () => {
  const metrics = startLocalMetrics();
  await read('s1', 20);
  await read('s2', 30);
  expect(await twin('room')).toMatchObject({ temperature: 25 });
  clock.advance(10 * MIN);
  await read('s2', 31);
  let sweep = await sweepConditions(propagator.conditions, port);
  expect(sweep).toMatchObject({ queries: 1, foundStale: 0, markedStale: 0 });
  clock.advance(6 * MIN); // s1 silent for 16 min (> 15), s2 for 6
  sweep = await sweepConditions(propagator.conditions, port);
  await settle();
  expect(sweep).toMatchObject({ queries: 1, foundStale: 1, markedStale: 1, failures: [] });
  expect(await twin('s1')).toMatchObject({ stale: true });
  expect((await twin('s2')).stale).toBeUndefined();
  expect(await twin('room')).toMatchObject({ temperature: 31 });
  // Marked once: the next sweep does not find it again (the mark is a write, the query excludes stale twins).
  clock.advance(MIN);
  expect(await sweepConditions(propagator.conditions, port)).toMatchObject({ foundStale: 0, markedStale: 0 });
  await read('s1', 22);
  expect(await twin('s1')).toMatchObject({ stale: false, temperature: 22 });
  expect(await twin('room')).toMatchObject({ temperature: 26.5 });
  expect(propagator.conditions.stats).toMatchObject({ markedStale: 1, markedFresh: 1 });
  // A condition over the room's derived average: the roll-up's write is the change that evaluates it.
  expect((await twin('room')).cold).toBe(false);
  await read('s1', 10);
  expect(await twin('room')).toMatchObject({ temperature: 20.5, cold: true });
  const text = await metrics.text();
  await metrics.close();
  expect(sample(text, 'pipeline_staleness_marks_total', { to: 'stale' })).toBe(1);
  expect(sample(text, 'pipeline_staleness_marks_total', { to: 'fresh' })).toBe(1);
  expect(sample(text, 'pipeline_sweep_queries_total')).toBe(3);
  expect(sample(text, 'pipeline_sweep_twins_total', { kind: 'stale' })).toBe(1);
});

it('refuses a staleness entry whose property the model lacks, with did-you-mean', () => {
  expect(() =>
    parsePipelineConfig(`rollups:\n  staleness:\n    - { model: "${SENSOR}", maxAge: 60, property: stal }\n`, 'pipeline.yaml', { models }),
  ).toThrow(
    /pipeline\.yaml:3:\d+: rollups\.staleness\[0\]\.property: "stal" is not a property of dtmi:test:stale:Sensor;1 \(did you mean "stale"\?\)/,
  );
});
