// npm run bench -- portfolio [--quick] [--scale <s>] [--seconds <n>] [--rows <list>] [--json]: issue 25's portfolio
// benchmark. 100,000 building sensors × 1 msg/min (scaled: devices and ADT's instance limits
// together), building-like values and an adversarial row where every reading changes, ours against
// the samples' algorithm, one after the other on the same traffic, feeder and emulator settings.
// Targets are reported, never asserted: the exit code is 0 unless the run fails or a correctness
// check fails (ours dead-lettered, lost a batch, or left a caught-up twin on anything but its
// newest reading).

import { adtLikeLatency } from './fleetBench';
import { portfolioMaxAgeSeconds, type PortfolioRowMetrics, runPortfolioRow } from './portfolioBench';
import type { PortfolioShape, PortfolioValues } from './portfolioTraffic';

/** Issue 25's targets for the building-like row, at full time scale (--quick scales the times with its period). */
export const portfolioTargets = {
  maxRequestsPerMessage: 0.3,
  maxP99ChangedFreshnessMs: 30_000,
  max429s: 0,
  /** The maxAge heartbeat this bench expects ours to run with: every twin's stored sourceTime within it (+ one sweep) of its newest reading. */
  maxAgeMs: portfolioMaxAgeSeconds * 1000,
};

export interface PortfolioPlan {
  scale: number;
  /** Reporting period / 60 s: --quick compresses time by 10 (and targets with it). */
  timeScale: number;
  rows: Array<{ implementation: 'ours' | 'samples'; shape: PortfolioShape }>;
  /** Ours: how long to keep delivering after the window before checking the twins. */
  drainMs: number;
}

/**
 * Full: 100,000 × s devices reporting every 60 s, ADT's instance limits × s, 4 partitions.
 * --quick: 200 devices (at most) reporting every 6 s, limits shrunk by the same twins per write
 * budget (× 10 for the compressed time), 20 s: the same dynamics in seconds.
 */
export function portfolioPlan(quick: boolean, scale = 1, seconds?: number, only?: readonly PortfolioRowName[]): PortfolioPlan {
  const s = quick ? Math.min(scale, 0.002) : scale;
  const periodSeconds = quick ? 6 : 60;
  const timeScale = periodSeconds / 60;
  const window = seconds ?? (quick ? 20 : 120);
  const shape = (values: PortfolioValues): PortfolioShape => ({
    devices: Math.round(100_000 * s),
    periodSeconds,
    partitions: 4,
    seconds: window,
    seed: 25,
    adtScale: s / timeScale,
    values,
  });
  return {
    scale: s,
    timeScale,
    rows: portfolioRowNames
      .filter((name) => only === undefined || only.includes(name))
      .map((name) => {
        const [values, implementation] = name.split('-') as [PortfolioValues, 'ours' | 'samples'];
        return { implementation, shape: shape(values) };
      }),
    // Long enough for the store to empty at ADT's budget: when every twin is deferred (the adversarial
    // row) that is one write per twin, N / 950 s at any scale (105 s), so twice that; a drained run stops early.
    drainMs: quick ? 60_000 : Math.max(Math.min(60_000, window * 500), 2 * floorSeconds(shape('building')) * 1000),
  };
}

/** ADT's floor: seconds for one write per twin at 950 patches/s (the sliding-window budget) × the shape's scale. */
function floorSeconds(shape: PortfolioShape): number {
  return shape.devices / (950 * shape.adtScale);
}

/** The rows, in the order they run; --rows picks some (e.g. a long steady-state run of ours only). */
export const portfolioRowNames = ['building-ours', 'building-samples', 'adversarial-ours', 'adversarial-samples'] as const;
export type PortfolioRowName = (typeof portfolioRowNames)[number];

export const portfolioUsage = `Usage: npm run bench -- portfolio [--quick] [--scale <s>] [--seconds <n>] [--rows <list>] [--json]

Issue 25's portfolio: 100,000 building sensors × 1 msg/min through the local host's Event Hub feeder
(batches per host.json), building-like values and an adversarial row (every reading changes), ours
against the samples' algorithm, on an emulator (own process) with ADT's limits and 15 ± 5 ms latency.
Reports offered/applied msg/s, ADT requests per message by kind, 429s, the backlog over time and its
slope, freshness of changed values, the oldest twin's age and memory against the targets; nothing is
asserted (exit 1 only when a correctness check fails).

  --quick        200 devices every 6 s with ADT's limits shrunk in proportion: the run takes ~2 min
  --scale <s>    devices and ADT's instance limits times s (0 < s <= 1), e.g. 0.05 on 2 cores
  --seconds <n>  how long traffic is offered per row (default 120; --quick 20)
  --rows <list>  only these rows, comma-separated: building-ours, building-samples, adversarial-ours,
                 adversarial-samples (default: all four)
  --json         also print every figure as JSON
  -h, --help     this text`;

export function parsePortfolioArgs(
  argv: readonly string[],
): { quick: boolean; json: boolean; scale: number; seconds?: number; rows?: PortfolioRowName[] } | { help: true } | { error: string } {
  let quick = false;
  let json = false;
  let scale = 1;
  let seconds: number | undefined;
  let rows: PortfolioRowName[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '-h' || flag === '--help') return { help: true };
    if (flag === '--quick') quick = true;
    else if (flag === '--json') json = true;
    else if (flag === '--scale') {
      const value = Number(argv[++i]);
      if (!(value > 0 && value <= 1)) return { error: `--scale needs a number in (0, 1], got ${argv[i] ?? 'nothing'}.` };
      scale = value;
    } else if (flag === '--seconds') {
      const value = Number(argv[++i]);
      if (!(Number.isInteger(value) && value >= 5))
        return { error: `--seconds needs a whole number of at least 5, got ${argv[i] ?? 'nothing'}.` };
      seconds = value;
    } else if (flag === '--rows') {
      const names = (argv[++i] ?? '').split(',').filter((name) => name !== '');
      const unknown = names.filter((name) => !(portfolioRowNames as readonly string[]).includes(name));
      if (names.length === 0 || unknown.length > 0)
        return { error: `--rows takes a comma-separated list of ${portfolioRowNames.join(', ')}; got ${unknown.join(', ') || 'nothing'}.` };
      rows = names as PortfolioRowName[];
    } else return { error: `Unknown flag ${flag}.` };
  }
  return { quick, json, scale, ...(seconds !== undefined && { seconds }), ...(rows && { rows }) };
}

const ms = (value: number): string =>
  value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;

export const portfolioHeader = `${'row'.padEnd(20)} ${'offered'.padStart(8)} ${'applied'.padStart(8)} ${'req/msg'.padStart(8)} ${'GET/PATCH/query/model'.padStart(22)} ${'429s'.padStart(5)} ${'slope'.padStart(8)} ${'changed p50'.padStart(11)} ${'p99'.padStart(9)} ${'oldest'.padStart(8)} ${'behind'.padStart(8)} ${'peak RSS'.padStart(9)}`;

export function portfolioRowLine(m: PortfolioRowMetrics): string {
  const r = m.requests;
  return [
    `${m.values} ${m.implementation}`.padEnd(20),
    m.offeredPerSecond.toFixed(1).padStart(8),
    m.appliedPerSecond.toFixed(1).padStart(8),
    m.perMessage.total.toFixed(3).padStart(8),
    `${r.reads}/${r.patches}/${r.queries}/${r.modelReads}`.padStart(22),
    String(m.throttled429).padStart(5),
    `${m.backlogSlopePerSecond >= 0 ? '+' : ''}${m.backlogSlopePerSecond.toFixed(1)}`.padStart(8),
    ms(m.freshness.p50).padStart(11),
    `${m.freshness.lowerBound ? '≥' : ''}${ms(m.freshness.p99)}`.padStart(9),
    ms(m.oldestTwinAgeMs).padStart(8),
    ms(m.maxBehindNewestMs).padStart(8),
    `${m.peakRssMb.toFixed(0)} MB`.padStart(9),
  ].join(' ');
}

/** The backlog at about ten points of the window. */
export function backlogLine(m: PortfolioRowMetrics): string {
  const points = m.backlog;
  const step = Math.max(1, Math.floor(points.length / 10));
  const picked = points.filter((_, i) => i % step === 0 || i === points.length - 1);
  return `  backlog ${m.values} ${m.implementation}: ${picked.map((p) => `${p.atSeconds.toFixed(0)} s ${p.backlog}`).join(', ')} → ${m.keepsUp ? 'bounded' : 'GROWING'} (slope ${m.backlogSlopePerSecond.toFixed(1)} msg/s after ${m.warmUpSeconds.toFixed(0)} s of warm-up)`;
}

export interface PortfolioReport {
  plan: PortfolioPlan;
  rows: PortfolioRowMetrics[];
  /** Targets of the building-like row (ours) that were missed. */
  missed: string[];
  /** Correctness failures: these fail the run. */
  failures: string[];
}

export async function runPortfolioBench(
  plan: PortfolioPlan,
  progress: (section: string) => void = () => undefined,
): Promise<PortfolioReport> {
  const rows: PortfolioRowMetrics[] = [];
  for (const { implementation, shape } of plan.rows) {
    progress(`${shape.values}, ${implementation}`);
    rows.push(await runPortfolioRow(implementation, shape, { latency: adtLikeLatency, drainMs: plan.drainMs }));
  }
  const t = portfolioTargets;
  const building = rows.find((r) => r.implementation === 'ours' && r.values === 'building');
  const sweepMs = building ? (building.shape.devices / (950 * building.shape.adtScale)) * 1000 : 0;
  const missed = (
    building === undefined
      ? []
      : [
          !building.keepsUp &&
            `building: the backlog grows ${building.backlogSlopePerSecond.toFixed(1)} msg/s after the warm-up (offered ${building.offeredPerSecond.toFixed(1)}, applied ${building.appliedPerSecond.toFixed(1)} msg/s)`,
          building.perMessage.total > t.maxRequestsPerMessage &&
            `building: ${building.perMessage.total.toFixed(3)} ADT requests per message > ${t.maxRequestsPerMessage}`,
          building.freshness.p99 > t.maxP99ChangedFreshnessMs * plan.timeScale &&
            `building: p99 freshness of changed values ${building.freshness.lowerBound ? '≥ ' : ''}${ms(building.freshness.p99)} > ${ms(t.maxP99ChangedFreshnessMs * plan.timeScale)}`,
          building.throttled429 > t.max429s && `building: ${building.throttled429} × 429`,
          building.maxBehindNewestMs > (t.maxAgeMs + 0) * plan.timeScale + sweepMs &&
            `building: a twin's newest sourceTime trails its newest reading by ${ms(building.maxBehindNewestMs)} > maxAge ${ms(t.maxAgeMs * plan.timeScale)} + one sweep ${ms(sweepMs)}`,
        ]
  ).filter((m): m is string => typeof m === 'string');
  const failures = rows
    .filter((r) => r.implementation === 'ours')
    .flatMap((r) =>
      [
        r.deadLettered > 0 && `${r.values} ours dead-lettered ${r.deadLettered} message(s)`,
        r.failedInvocations > 0 && `${r.values} ours failed ${r.failedInvocations} invocation(s)`,
        r.lostBatches > 0 && `${r.values} ours lost ${r.lostBatches} batch(es)`,
        r.check &&
          r.check.twinsWrong > 0 &&
          `${r.values} ours: ${r.check.twinsWrong} caught-up twin(s) not within the deadband and maxAge of their newest reading (${r.check.wrong.join('; ')})`,
        r.patchesAcknowledged !== r.patchesAppliedAtEmulator &&
          `${r.values} ours: ${r.patchesAcknowledged} PATCHes acknowledged but ${r.patchesAppliedAtEmulator} applied at the emulator`,
      ].filter((m): m is string => typeof m === 'string'),
    );
  return { plan, rows, missed, failures };
}

export function printPortfolioReport(report: PortfolioReport): void {
  const { rows } = report;
  const first = (rows[0] as PortfolioRowMetrics).shape;
  const sweep = first.devices / (950 * first.adtScale);
  console.log(
    `\nportfolio: ${first.devices.toLocaleString('en-US')} devices × 1 msg / ${first.periodSeconds} s (${(first.devices / first.periodSeconds).toFixed(1)} msg/s offered), ${first.partitions} partitions, ${first.seconds} s per row; ADT limits × ${first.adtScale.toFixed(4)} (${Math.round(1000 * first.adtScale)} patches/s, ${Math.round(1000 * first.adtScale)} reads/s, ${Math.round(500 * first.adtScale)} queries/s), latency ${adtLikeLatency.latencyMs + adtLikeLatency.jitterMs / 2} ± ${adtLikeLatency.jitterMs / 2} ms; ADT's floor: one write per twin every ${sweep.toFixed(0)} s`,
  );
  console.log(portfolioHeader);
  for (const row of rows) console.log(portfolioRowLine(row));
  console.log(
    "(req/msg and GET/PATCH/query/model: requests ADT received over the window per applied message; slope: backlog growth after the warm-up, msg/s; changed p50/p99: hand-over → a write at least as new of a changed value; oldest: now − the newest acknowledged sourceTime of the least recently written twin; behind: the most a twin's newest acknowledged sourceTime trails its newest reading)",
  );
  for (const row of rows) console.log(backlogLine(row));
  for (const row of rows) {
    if (!row.check) continue;
    console.log(
      `  check ${row.values} ${row.implementation}: ${row.check.drained ? `drained ${ms(row.check.drainedAfterMs)} after the window` : `NOT drained within ${ms(row.check.drainedAfterMs)}`}; ${row.check.twinsChecked} caught-up twins checked (within the deadband and maxAge of their newest reading), ${row.check.twinsWrong} wrong; ${row.changedValues} changed values, ${row.twinsBehind} twins behind at the window's end; peak heap ${row.peakHeapMb.toFixed(0)} MB`,
    );
  }
  const building = rows.find((r) => r.implementation === 'ours' && r.values === 'building');
  if (building && report.missed.length > 0) {
    const perMessage = building.perMessage;
    const heartbeatEvery = Math.floor(portfolioMaxAgeSeconds / 60) + 1;
    console.log(
      `\nWhere we lose: ours wrote ${perMessage.patch.toFixed(3)} PATCH per applied message (an unchanged twin costs a heartbeat every ${heartbeatEvery} readings with maxAge ${portfolioMaxAgeSeconds} s: ${(1 / heartbeatEvery).toFixed(3)} per message before any change) and read ${perMessage.query.toFixed(3)} queries + ${perMessage.get.toFixed(3)} GETs per message for first touches (50 twins per query); ${building.throttled429} × 429; applied ${building.appliedPerSecond.toFixed(1)} of ${building.offeredPerSecond.toFixed(1)} msg/s offered${building.keepsUp ? '' : ', and the backlog grows (in Azure, Event Hubs lag)'}.`,
    );
  }
  console.log(
    report.missed.length ? `\nTargets missed (building-like, ours): ${report.missed.join('; ')}` : '\nAll portfolio targets met.',
  );
  if (report.failures.length) console.log(`\nCORRECTNESS FAILED: ${report.failures.join('; ')}`);
}

export async function portfolioMain(argv: readonly string[]): Promise<void> {
  const args = parsePortfolioArgs(argv);
  if ('help' in args) return void console.log(portfolioUsage);
  if ('error' in args) {
    console.error(`${args.error}\n\n${portfolioUsage}`);
    process.exitCode = 2;
    return;
  }
  const plan = portfolioPlan(args.quick, args.scale, args.seconds, args.rows);
  let section = 0;
  const report = await runPortfolioBench(plan, (name) =>
    console.error(`[${++section}/${plan.rows.length}] ${name}${args.quick ? ' (quick)' : ''}…`),
  );
  printPortfolioReport(report);
  if (args.json) console.log(JSON.stringify(report, null, 2));
  if (report.failures.length) process.exitCode = 1;
}
