// The sweep's cost is counted and bounded, on 2,000 silent sensors in the emulator: every query page's
// `query-charge` reaches the gateway's CallStats and the sweep's summary and metrics; a run stops
// taking rows at sweepMaxRows and asks for no page once its pages cost sweepMaxQueryUnits; the next
// runs take the rest, until a run finds nothing and is not capped. The emulator's charge model
// (local/emulator/QUERY.md) is what ROLLUPS.md "Sweep cost" extrapolates to 100,000 twins.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { setEmulatorClock } from '../../../local/emulator/clock';
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { startLocalMetrics } from '../../../local/runner/localMetrics';
import type { QueryPage } from '../../../shared/adt';
import { AdtGateway } from '../../../shared/adt/gateway';
import { SdkAdtPort } from '../../../shared/adt/sdkPort';
import { parsePipelineConfig } from '../../../shared/config/load';
import { GatewayRollupPort, Propagator, type RollupPort, sweepConditions } from '../../../shared/rollup';
import { rollupsOf } from '../../../shared/worker';
import { sample } from '../../e2e/support/prometheus';
import { createTestClient } from '../../support/emulatorClient';
import { manualClock } from './harness';

const SENSOR = 'dtmi:test:sweepcost:Sensor;1';
const OTHER = 'dtmi:test:sweepcost:Other;1';
const TWINS = 2000;
const model = (id: string) => ({
  '@id': id,
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;3',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double' },
    { '@type': 'Property', name: 'stale', schema: 'boolean' },
  ],
});
const pipeline = `
rollups:
  settings: { sweepMaxRows: 500, sweepPageSize: 200 }
  staleness:
    - { model: "${SENSOR}", maxAge: 900 }
`;

let emulator: EmulatorHandle;
let client: DigitalTwinsClient;
let propagator: Propagator;
let port: GatewayRollupPort;
/** Every page the sweep received, with its charge, as the port handed it over. */
const pages: QueryPage[] = [];
let spy: RollupPort;
const clock = manualClock(Date.now());

beforeAll(async () => {
  setEmulatorClock(() => clock.now());
  emulator = await startEmulator({});
  client = createTestClient(emulator);
  await client.createModels([model(SENSOR), model(OTHER)]);
  const lines = ['{"Section":"Header"}', '{"fileVersion":"1.0.0"}', '{"Section":"Twins"}'];
  for (let i = 0; i < TWINS; i++) lines.push(JSON.stringify({ $dtId: `s${i}`, $metadata: { $model: SENSOR }, temperature: 20 }));
  // Twins of another model: IS_OF_MODEL leaves them out of the rows, though the emulator's scan reads them.
  for (let i = 0; i < 100; i++) lines.push(JSON.stringify({ $dtId: `o${i}`, $metadata: { $model: OTHER } }));
  await emulator.importNdjson(lines.join('\n'));
  port = new GatewayRollupPort(new AdtGateway({ port: new SdkAdtPort(client), retryPolicy: { baseDelayMs: 5, maxDelayMs: 50 } }));
  propagator = new Propagator({
    compiled: rollupsOf(parsePipelineConfig(pipeline, 'pipeline.yaml', { models: [model(SENSOR)] })),
    port,
    clock,
  });
  spy = {
    getTwin: (id, o) => port.getTwin(id, o),
    listOutgoing: (id, name, o) => port.listOutgoing(id, name, o),
    listIncoming: (id, o) => port.listIncoming(id, o),
    updateTwin: (id, ops, o) => port.updateTwin(id, ops, o),
    getModel: (id, o) => port.getModel(id, o),
    queryPage: async (text, page, o) => {
      const answer = await port.queryPage(text, page, o);
      pages.push(answer);
      return answer;
    },
  };
}, 60_000);
afterAll(async () => {
  propagator.close();
  await emulator.close();
  setEmulatorClock();
});

const sum = (charges: number[]): number => Math.round(charges.reduce((a, b) => a + b, 0) * 100) / 100;

it('the gateway surfaces query-charge: a full query counts its pages and Query Units in CallStats', async () => {
  const before = { pages: port.stats.queryPages ?? 0, units: port.stats.queryUnits ?? 0 };
  const rows = await port.query(`SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL('${SENSOR}')`);
  expect(rows).toHaveLength(TWINS);
  // Default page size 100: 20 pages, each charged 1 QU + 0.01 per twin the emulator's scan read.
  expect((port.stats.queryPages ?? 0) - before.pages).toBe(20);
  expect((port.stats.queryUnits ?? 0) - before.units).toBeGreaterThan(20);
});

it('caps a run at sweepMaxQueryUnits (at most one page over), then at sweepMaxRows, and the next runs take the rest', async () => {
  const metrics = startLocalMetrics();
  clock.advance(16 * 60_000); // every sensor silent for 16 min > maxAge 15
  const statsBefore = port.stats.queryUnits ?? 0;

  // A Query Unit cap of 10 with pages of 100: page k of an all-matching scan reads 100k+1 twins.
  let run = await sweepConditions(propagator.conditions, spy, { bound: { maxRows: 10_000, maxQueryUnits: 10, pageSize: 100 } });
  const charges = pages.map((p) => p.queryCharge ?? 0);
  expect(charges).toEqual([2.01, 3.01, 4.01, 5.01]); // the emulator's model: 1 + 0.01 × twins read
  expect(sum(charges.slice(0, -1))).toBeLessThan(10); // it asked for the last page while under the cap…
  expect(run).toMatchObject({ queries: 1, pages: 4, rows: 400, queryUnits: sum(charges), capped: true, foundStale: 400, markedStale: 400 });
  expect(run.failures).toEqual([]);
  expect((port.stats.queryUnits ?? 0) - statsBefore).toBeCloseTo(sum(charges), 2); // …and the gateway counted the same charge

  // The file's bound: 500 rows per run in pages of 200 (200 + 200 + 100), the rest left for the next run.
  const settings = rollupsOf(parsePipelineConfig(pipeline, 'pipeline.yaml')).settings;
  const bound = { maxRows: settings.sweepMaxRows, maxQueryUnits: settings.sweepMaxQueryUnits, pageSize: settings.sweepPageSize };
  const runs = [];
  for (let i = 0; i < 4; i++) runs.push(await sweepConditions(propagator.conditions, spy, { bound }));
  expect(runs.map((r) => [r.rows, r.pages, r.markedStale, r.capped])).toEqual([
    [500, 3, 500, true],
    [500, 3, 500, true],
    [500, 3, 500, true],
    [100, 1, 100, false], // 1,600 marked before: the last 100 fit, and the query ended
  ]);
  for (const r of runs) expect(r.rows).toBeLessThanOrEqual(500);
  run = await sweepConditions(propagator.conditions, spy, { bound });
  // Nothing left: one page, no rows, and the emulator charged the full scan of 2,100 twins.
  expect(run).toMatchObject({ queries: 1, pages: 1, rows: 0, queryUnits: 22, capped: false, markedStale: 0 });
  let stale = 0;
  for await (const row of client.queryTwins(`SELECT COUNT() FROM DIGITALTWINS T WHERE T.stale = true`))
    stale = (row as { COUNT: number }).COUNT;
  expect(stale).toBe(TWINS);

  const text = await metrics.text();
  await metrics.close();
  const all = [run, ...runs];
  expect(sample(text, 'pipeline_sweep_runs_total', { capped: 'true' })).toBe(4);
  expect(sample(text, 'pipeline_sweep_runs_total', { capped: 'false' })).toBe(2);
  expect(sample(text, 'pipeline_sweep_queries_total')).toBe(6);
  expect(sample(text, 'pipeline_sweep_pages_total')).toBe(4 + all.reduce((n, r) => n + r.pages, 0));
  expect(sample(text, 'pipeline_sweep_query_units_total')).toBeCloseTo(sum(pages.map((p) => p.queryCharge ?? 0)), 2);
  expect(sample(text, 'pipeline_sweep_twins_total', { kind: 'stale' })).toBe(TWINS);
  expect(sample(text, 'pipeline_staleness_marks_total', { to: 'stale' })).toBe(TWINS);
}, 120_000);
