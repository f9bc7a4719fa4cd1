// Stateful transforms through processBatch with the real planner (mapping, coalescing) and the
// deferral stage: every reading of a batch is folded (none coalesced away), skipped readings are
// filtered with their reason in the ledger and the summary, and a twin with a stateful target is
// written within the invocation even when the write window defers every other twin.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AdtGateway } from '../../../../shared/adt/gateway';
import { compilePipelineConfig } from '../../../../shared/config';
import { processBatch } from '../../../../shared/ingest/batch/processBatch';
import { DeferredDrainer } from '../../../../shared/ingest/defer/drainer';
import { FolderDeferredValuesStore } from '../../../../shared/ingest/defer/folderStore';
import type { RawEvent } from '../../../../shared/ingest/message/deviceMessage';
import { createIngestPlanner } from '../../../../shared/ingest/plan/planner';
import { MemorySink } from '../../../support/memorySink';
import { FakeClock, FakePort } from '../../adt/fakes';

const meterModel = {
  '@id': 'dtmi:test:Meter;1',
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;2',
  contents: [
    { '@type': 'Property', name: 'power', schema: 'double' },
    { '@type': 'Property', name: 'energy', schema: 'double' },
    { '@type': 'Property', name: 'reading', schema: 'double' },
  ],
};

const config = compilePipelineConfig(
  {
    ingest: {
      options: { sourceTime: 'ts' },
      rules: [
        {
          name: 'meter',
          match: { deviceId: 'meter-*' },
          properties: [
            { target: 'energy', source: 'power', transform: { unit: { from: 'W', to: 'kW' }, integrate: { input: 'power', per: 'hour' } } },
          ],
        },
        { name: 'plain', match: { deviceId: 'plain-*' }, properties: [{ target: 'reading' }] },
      ],
    },
  },
  'stateful-batch-test',
);

const base = Date.UTC(2024, 5, 1, 12);
const at = (seconds: number): string => new Date(base + seconds * 1000).toISOString();
let index = 0;
const event = (deviceId: string, body: Record<string, unknown>): RawEvent => {
  index += 1;
  return {
    body,
    index,
    sequenceNumber: index,
    offset: String(index * 100),
    enqueuedTimeUtc: at(3600),
    systemProperties: { 'iothub-connection-device-id': deviceId },
    properties: {},
  };
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stateful-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function setup() {
  const clock = new FakeClock(base + 7200_000);
  const port = new FakePort([meterModel]);
  const meta = { $model: meterModel['@id'] };
  for (const id of ['meter-1', 'plain-1', 'plain-2', 'plain-3']) port.addTwin(id, { $metadata: meta });
  const gateway = new AdtGateway({ port, clock });
  const deadLetters = new MemorySink();
  const store = new FolderDeferredValuesStore(dir);
  const drainer = new DeferredDrainer({
    store,
    gateway,
    deadLetters,
    write: { emitSourceTime: true, maxClockSkewMs: 300_000 },
    maxParallelTwins: 4,
    clock,
  });
  // A window so small the invocation may write one twin: every plain twin is deferred.
  const deferral = { store, drainer, buckets: 2, windowSeconds: 0.0001 };
  const run = (events: RawEvent[]) =>
    processBatch(events, {
      gateway,
      deadLetters,
      planner: createIngestPlanner(config.ingest, gateway),
      deadlineMs: 60_000,
      clock,
      deferral,
    });
  return { port, run };
}

const trapezoid = (points: Array<[number, number]>): number =>
  points
    .slice(1)
    .reduce(
      (sum, [t, p], i) => sum + ((((points[i] as [number, number])[1] + p) / 2) * (t - (points[i] as [number, number])[0])) / 3600,
      0,
    );

it('folds every reading, reports skipped ones, and never defers a stateful twin', async () => {
  const { port, run } = setup();
  const first = await run([
    event('plain-1', { reading: 1, ts: at(0) }),
    event('meter-1', { power: 1000, ts: at(0) }),
    event('plain-2', { reading: 2, ts: at(0) }),
    event('meter-1', { power: 3000, ts: at(60) }),
    event('meter-1', { power: 2000, ts: at(30) }),
    event('plain-3', { reading: 3, ts: at(0) }),
  ]);
  expect(first.summary.deferral).toMatchObject({ writeCapacity: 1, twinsDeferred: 3 });
  expect(first.summary).toMatchObject({ applied: 6, filtered: 0, deadLettered: 0 });
  // Readings in kW (unit step first), folded 0 → 30 → 60 s although 30 s arrived last.
  const meter = () => port.twins.get('meter-1') as unknown as { energy: number; power: number };
  expect(
    Math.abs(
      meter().energy -
        trapezoid([
          [0, 1],
          [30, 2],
          [60, 3],
        ]),
    ),
  ).toBeLessThan(1e-12);
  expect(meter().power).toBe(3);

  // Next batch: an older reading, a redelivered one, a new one.
  const second = await run([
    event('meter-1', { power: 9000, ts: at(45) }),
    event('meter-1', { power: 3000, ts: at(60) }),
    event('meter-1', { power: 1000, ts: at(120) }),
  ]);
  expect(second.summary.readingsSkipped).toEqual({ 'reading-out-of-order': 1, 'reading-already-folded': 1 });
  expect(second.summary.filteredByReason).toEqual({ 'reading-out-of-order': 1, 'reading-already-folded': 1 });
  expect(second.ledger.map((e) => [e.outcome, e.reasons])).toEqual([
    ['filtered', ['reading-out-of-order']],
    ['filtered', ['reading-already-folded']],
    ['applied', []],
  ]);
  expect(
    Math.abs(
      meter().energy -
        trapezoid([
          [0, 1],
          [30, 2],
          [60, 3],
          [120, 1],
        ]),
    ),
  ).toBeLessThan(1e-12);
});
