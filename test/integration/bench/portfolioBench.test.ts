// The portfolio benchmark's machinery end to end at a tiny scale (figures come from
// `npm run bench -- portfolio`, never from a test): the compiled bench (a private build, so the
// emulator's child process runs JavaScript) drives ours and the samples' algorithm through the
// feeder and the emulator process; only outcomes are asserted — final twins, request counts, what
// the value model generates — never timings.
import { join } from 'node:path';

import type * as PortfolioBench from '../../../bench/portfolioBench';
import { type CheckTolerance, checkTwins, exactTolerance, portfolioPipelineConfig } from '../../../bench/portfolioBench';
import { parsePortfolioArgs, portfolioPlan, portfolioTargets } from '../../../bench/portfolioRun';
import {
  isChange,
  type PortfolioMessage,
  portfolioProperties,
  portfolioSchedule,
  type PortfolioShape,
  significance,
} from '../../../bench/portfolioTraffic';
import { privateBuild, removeBuild } from '../../support/privateBuild';

const tiny = (values: PortfolioShape['values']): PortfolioShape => ({
  devices: 24,
  periodSeconds: 2,
  partitions: 2,
  seconds: 5,
  seed: 3,
  adtScale: 1,
  values,
});

let outDir: string;
let bench: typeof PortfolioBench;

beforeAll(() => {
  outDir = privateBuild('portfolio-bench');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  bench = require(join(outDir, 'bench', 'portfolioBench.js')) as typeof PortfolioBench;
}, 120_000);

afterAll(() => removeBuild(outDir));

function expectCountsConsistent(row: PortfolioBench.PortfolioRowMetrics): void {
  const r = row.requests;
  expect(r.total).toBe(r.reads + r.patches + r.queries + r.modelReads + r.other);
  expect(row.offered).toBe(portfolioSchedule(row.shape).length);
  expect(row.applied).toBeLessThanOrEqual(row.offered);
  expect(row.backlog.length).toBeGreaterThan(0);
}

it('ours ends every twin within the deadbands and maxAge of its newest reading (building-like values), and ADT saw exactly the PATCHes we saw acknowledged', async () => {
  const row = await bench.runPortfolioRow('ours', tiny('building'), { drainMs: 60_000 });
  expectCountsConsistent(row);
  expect(row.check).toMatchObject({ drained: true, twinsChecked: 24, twinsWrong: 0 });
  expect(row.patchesAcknowledged).toBe(row.patchesAppliedAtEmulator);
  expect(row.patchesAcknowledged).toBeGreaterThan(0);
  // Each twin's first touch is one GET (nothing else reads it); no query is needed to map.
  expect(row.requests.reads).toBe(24);
  expect(row.requests.queries).toBe(0);
  expect({ deadLettered: row.deadLettered, failed: row.failedInvocations, lost: row.lostBatches }).toEqual({
    deadLettered: 0,
    failed: 0,
    lost: 0,
  });
}, 120_000);

it('ours ends every twin on its newest reading when every reading changes', async () => {
  const row = await bench.runPortfolioRow('ours', tiny('adversarial'), { drainMs: 60_000 });
  expectCountsConsistent(row);
  expect(row.changedValues).toBe(row.offered * portfolioProperties.length);
  expect(row.check).toMatchObject({ drained: true, twinsChecked: 24, twinsWrong: 0 });
  expect(row.patchesAcknowledged).toBe(row.patchesAppliedAtEmulator);
}, 120_000);

it('the samples write one PATCH per message, counted the same at the emulator and by the bench', async () => {
  const row = await bench.runPortfolioRow('samples', tiny('building'));
  expectCountsConsistent(row);
  expect(row.requests.reads).toBe(0);
  expect(row.messagesAcknowledged).toBeGreaterThan(0);
  expect(row.patchesAppliedAtEmulator).toBe(row.messagesAcknowledged);
  expect(row.check).toBeUndefined();
}, 120_000);

it('the adversarial generator changes every property of every reading beyond its significance', () => {
  const schedule = portfolioSchedule({ ...tiny('adversarial'), devices: 50, periodSeconds: 1, seconds: 60 });
  const byDevice = new Map<number, PortfolioMessage[]>();
  for (const message of schedule) {
    const list = byDevice.get(message.device) ?? [];
    list.push(message);
    byDevice.set(message.device, list);
  }
  for (const messages of byDevice.values()) {
    messages.forEach((message, i) => {
      expect(message.changed).toEqual([...portfolioProperties]);
      const previous = messages[i - 1];
      if (previous) for (const p of portfolioProperties) expect(isChange(p, message.values[p], previous.values[p])).toBe(true);
    });
  }
});

it('the building-like generator mostly repeats or drifts: few changed values, temperatures near the setpoints', () => {
  const schedule = portfolioSchedule({ ...tiny('building'), devices: 200, periodSeconds: 1, seconds: 120 });
  const changed = schedule.reduce((n, m) => n + m.changed.length, 0);
  expect(changed / (schedule.length * portfolioProperties.length)).toBeLessThan(0.1);
  expect(schedule.some((m) => m.changed.includes('occupied'))).toBe(true);
  for (const m of schedule) expect(Math.abs(m.values.temperature - m.values.setpoint)).toBeLessThanOrEqual(0.6);
});

it('parses its flags; --scale and --quick keep twins per write budget of the full shape', () => {
  expect(parsePortfolioArgs(['--quick', '--json', '--scale', '0.05', '--seconds', '90'])).toEqual({
    quick: true,
    json: true,
    scale: 0.05,
    seconds: 90,
  });
  expect(parsePortfolioArgs(['--seconds', '2'])).toEqual({ error: '--seconds needs a whole number of at least 5, got 2.' });
  expect(parsePortfolioArgs(['--fast'])).toEqual({ error: 'Unknown flag --fast.' });
  const full = portfolioPlan(false).rows[0]!.shape;
  expect(full).toMatchObject({ devices: 100_000, periodSeconds: 60, adtScale: 1 });
  for (const plan of [portfolioPlan(false, 0.05), portfolioPlan(true)]) {
    const shape = plan.rows[0]!.shape;
    // Offered msg/s per unit of ADT budget, as at full size.
    expect(shape.devices / shape.periodSeconds / shape.adtScale).toBeCloseTo(100_000 / 60, 6);
  }
  expect(portfolioPlan(false, 0.05).rows.map((r) => `${r.shape.values} ${r.implementation}`)).toEqual([
    'building ours',
    'building samples',
    'adversarial ours',
    'adversarial samples',
  ]);
  // The drain after the window lasts up to twice ADT's floor (one write per twin at 950/s): long enough to empty a full store.
  expect(portfolioPlan(false, 0.05).drainMs).toBeCloseTo(2 * (5000 / (950 * 0.05)) * 1000, 6);
  // --rows picks rows (a long steady-state run of ours alone); unknown names are refused by name.
  expect(parsePortfolioArgs(['--rows', 'building-ours,adversarial-ours'])).toMatchObject({ rows: ['building-ours', 'adversarial-ours'] });
  expect(portfolioPlan(false, 0.05, 300, ['adversarial-ours']).rows.map((r) => `${r.shape.values} ${r.implementation}`)).toEqual([
    'adversarial ours',
  ]);
  expect(parsePortfolioArgs(['--rows', 'building-ours,fleet'])).toEqual({
    error: '--rows takes a comma-separated list of building-ours, building-samples, adversarial-ours, adversarial-samples; got fleet.',
  });
  expect(parsePortfolioArgs(['--rows'])).toMatchObject({ error: expect.stringContaining('got nothing') });
});

it("runs ours with the value model's significance as deadbands and the targets' maxAge, and checks caught-up twins against them", () => {
  expect(portfolioPipelineConfig.ingest.options.maxAgeSeconds).toBe(portfolioTargets.maxAgeMs / 1000);
  expect(portfolioPipelineConfig.ingest.rules[0]?.properties).toEqual([
    { target: 'temperature', deadband: { absolute: significance.temperature } },
    { target: 'humidity', deadband: { absolute: significance.humidity } },
    { target: 'occupied' },
    { target: 'setpoint' },
  ]);
  const ts = Date.UTC(2024, 5, 1, 12, 10);
  const reading = {
    device: 0,
    k: 3,
    atMs: 0,
    changed: [],
    values: { temperature: 21.3, humidity: 45, occupied: true, setpoint: 21 },
  } as unknown as PortfolioMessage;
  const at = (ms: number) => ({ sourceTime: new Date(ms).toISOString() });
  const twinDoc = (values: Record<string, unknown>, storedMs: number) =>
    ({
      $dtId: 't',
      $metadata: { $model: 'm', temperature: at(storedMs), humidity: at(storedMs), occupied: at(storedMs), setpoint: at(storedMs) },
      ...values,
    }) as unknown as Parameters<typeof checkTwins>[0][number];
  const tolerance: CheckTolerance = { deadband: { ...significance }, maxAgeMs: 120_000 };
  const check = (values: Record<string, unknown>, storedMs: number, t = tolerance) =>
    checkTwins([twinDoc(values, storedMs)], new Map([['t', { tsMs: ts, message: reading }]]), new Map([['t', ts]]), t, true, 0);
  // Within 0.1 °C and 0.5 %RH, stored 100 s before the newest reading: right.
  expect(check({ temperature: 21.2, humidity: 45.5, occupied: true, setpoint: 21 }, ts - 100_000).twinsWrong).toBe(0);
  // Beyond a deadband, a wrong boolean, a sourceTime older than maxAge or newer than the reading: wrong.
  expect(check({ temperature: 21.15, humidity: 45, occupied: true, setpoint: 21 }, ts).twinsWrong).toBe(1);
  expect(check({ temperature: 21.3, humidity: 45, occupied: false, setpoint: 21 }, ts).twinsWrong).toBe(1);
  expect(check({ temperature: 21.3, humidity: 45, occupied: true, setpoint: 21 }, ts - 121_000).twinsWrong).toBe(1);
  expect(check({ temperature: 21.3, humidity: 45, occupied: true, setpoint: 21 }, ts + 1).twinsWrong).toBe(1);
  // Without deadbands: exactly the newest reading and its time.
  expect(check({ temperature: 21.3, humidity: 45, occupied: true, setpoint: 21 }, ts, exactTolerance).twinsWrong).toBe(0);
  expect(check({ temperature: 21.2, humidity: 45, occupied: true, setpoint: 21 }, ts, exactTolerance).twinsWrong).toBe(1);
  expect(check({ temperature: 21.3, humidity: 45, occupied: true, setpoint: 21 }, ts - 1, exactTolerance).twinsWrong).toBe(1);
  // A twin whose newest reading was not processed yet is the backlog, not checked.
  expect(
    checkTwins([twinDoc({}, 0)], new Map([['t', { tsMs: ts, message: reading }]]), new Map([['t', ts - 1]]), tolerance, true, 0)
      .twinsChecked,
  ).toBe(0);
});
