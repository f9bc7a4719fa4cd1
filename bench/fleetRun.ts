// npm run bench -- fleet [--quick] [--json] [--scale <s>]: the fleet benchmark. Ours against the
// samples' algorithm in one run, on the same traffic, feeder (host.json batching) and emulator
// settings; then the CPU path against the JSON.parse floor, cold start and first invocation, each in
// fresh processes, and memory from GC traces. Prints one table and the targets.

import { measureFirstInvocation, measureRequire } from './coldStart';
import { type CpuPathMetrics, runCpuPathInFreshProcess } from './cpuPath';
import { adtLikeLatency, type FleetRowMetrics, runFleetRow } from './fleetBench';
import type { FleetShape } from './fleetTraffic';
import { measureGcMemory } from './gcMemory';

/** The targets (report where we land, whichever way). */
export const fleetTargets = {
  maxRequestsPerMessage: 0.15,
  maxP99FreshnessMs: 3000,
  max429Share: 0.005,
  minCpuMessagesPerSecond: 300_000,
  maxCpuFloorRatio: 3,
  maxRequireMs: 150,
  maxFirstInvocationMs: 300,
};

export interface FleetPlan {
  fleet: FleetShape;
  light: FleetShape;
  cpuMessages: number;
  requireRuns: number;
  firstInvocationTwins: number;
  memory: { twins: number; perTwin: number };
}

/**
 * The run's shapes. Full: 2,000 devices × 5 msg/s in bursts, 4 partitions, ADT's limits; light load
 * 200 msg/s. --quick shrinks devices and ADT's limits together (adtScale), so the same dynamics
 * play out in seconds; --scale does the same for a machine too small for the full shape.
 */
export function fleetPlan(quick: boolean, scale = 1): FleetPlan {
  const s = quick ? Math.min(scale, 0.05) : scale;
  const fleet: FleetShape = {
    devices: Math.round(2000 * s),
    perDevice: 5,
    burstSpacingMs: 20,
    partitions: 4,
    seconds: quick ? 3 : 20,
    seed: 11,
    adtScale: s,
  };
  const light: FleetShape = {
    devices: 40,
    perDevice: 5,
    burstSpacingMs: 20,
    partitions: 4,
    seconds: quick ? 2 : 10,
    seed: 12,
    adtScale: 1,
  };
  return {
    fleet,
    light,
    cpuMessages: quick ? 5_000 : 50_000,
    requireRuns: quick ? 1 : 3,
    firstInvocationTwins: 100,
    memory: quick ? { twins: 200, perTwin: 4 } : { twins: 2000, perTwin: 4 },
  };
}

export const fleetUsage = `Usage: npm run bench -- fleet [--quick] [--json] [--scale <s>]

A fleet's traffic in real time through the local host's Event Hub feeder (batches per host.json),
ours against the samples' algorithm, on an emulator (own process) with ADT's limits and 15 ± 5 ms
latency; the CPU path against JSON.parse, cold start and first invocation in fresh processes;
memory from GC traces. Figures are reported against the targets; nothing is asserted.

  --quick      a small fleet with ADT's limits shrunk in proportion: the run takes seconds
  --scale <s>  devices and ADT's instance limits times s (0 < s <= 1), for small machines
  --json       also print every figure as JSON
  -h, --help   this text`;

export function parseFleetArgs(
  argv: readonly string[],
): { quick: boolean; json: boolean; scale: number } | { help: true } | { error: string } {
  let quick = false;
  let json = false;
  let scale = 1;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === '-h' || flag === '--help') return { help: true };
    if (flag === '--quick') quick = true;
    else if (flag === '--json') json = true;
    else if (flag === '--scale') {
      const value = Number(argv[++i]);
      if (!(value > 0 && value <= 1)) return { error: `--scale needs a number in (0, 1], got ${argv[i] ?? 'nothing'}.` };
      scale = value;
    } else return { error: `Unknown flag ${flag}.` };
  }
  return { quick, json, scale };
}

const ms = (value: number): string =>
  value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;

export function fleetRowLine(m: FleetRowMetrics): string {
  return [
    `${m.label} ${m.implementation}`.padEnd(16),
    `${Math.round(m.offeredPerSecond)}`.padStart(8),
    `${Math.round(m.appliedPerSecond)}`.padStart(8),
    m.adtRequestsPerMessage.toFixed(3).padStart(9),
    `${m.adtRequests.reads}/${m.adtRequests.modelReads}/${m.adtRequests.patches}`.padStart(17),
    `${m.throttled429} (${(m.throttledShare * 100).toFixed(1)}%)`.padStart(12),
    ms(m.freshness.p50).padStart(8),
    `${m.freshness.lowerBound ? '≥' : ''}${ms(m.freshness.p99)}`.padStart(9),
    ms(m.steadyFreshness.p99).padStart(10),
    `${m.backlogAtHalf} → ${m.backlogAtEnd}`.padStart(16),
    m.meanBatch.toFixed(0).padStart(6),
  ].join(' ');
}

export const fleetHeader = `${'row'.padEnd(16)} ${'offered'.padStart(8)} ${'applied'.padStart(8)} ${'req/msg'.padStart(9)} ${'GET/model/PATCH'.padStart(17)} ${'429s'.padStart(12)} ${'p50'.padStart(8)} ${'p99'.padStart(9)} ${'steady p99'.padStart(10)} ${'backlog ½→end'.padStart(16)} ${'batch'.padStart(6)}`;

export interface FleetReport {
  plan: FleetPlan;
  rows: FleetRowMetrics[];
  /** The CPU path with one configured rule. */
  cpu: CpuPathMetrics;
  /** The CPU path with the zero-config mapping (by the twin's DTDL model). */
  cpuModel: CpuPathMetrics;
  require: Awaited<ReturnType<typeof measureRequire>>;
  firstInvocation: Awaited<ReturnType<typeof measureFirstInvocation>>;
  memory: Awaited<ReturnType<typeof measureGcMemory>>;
  missed: string[];
}

export async function runFleetBench(plan: FleetPlan, progress: (section: string) => void = () => undefined): Promise<FleetReport> {
  const rows: FleetRowMetrics[] = [];
  progress('fleet, ours');
  rows.push(await runFleetRow('ours', plan.fleet, { label: 'fleet', latency: adtLikeLatency }));
  progress('fleet, samples');
  rows.push(await runFleetRow('samples', plan.fleet, { label: 'fleet', latency: adtLikeLatency }));
  progress('light load, ours');
  rows.push(await runFleetRow('ours', plan.light, { label: 'light', latency: adtLikeLatency }));
  progress('light load, samples');
  rows.push(await runFleetRow('samples', plan.light, { label: 'light', latency: adtLikeLatency }));
  progress('CPU path');
  const cpu = await runCpuPathInFreshProcess({ messages: plan.cpuMessages, mapping: 'rules' });
  const cpuModel = await runCpuPathInFreshProcess({ messages: plan.cpuMessages, mapping: 'model' });
  progress('cold require');
  const requireFigures = await measureRequire(plan.requireRuns);
  progress('first invocation');
  const firstInvocation = await measureFirstInvocation(plan.firstInvocationTwins, 15);
  progress('memory (GC trace)');
  const memory = await measureGcMemory(plan.memory);

  const [fleetOurs, , lightOurs, lightSamples] = rows as [FleetRowMetrics, FleetRowMetrics, FleetRowMetrics, FleetRowMetrics];
  const t = fleetTargets;
  const missed = [
    fleetOurs.backlogAtEnd > fleetOurs.backlogAtHalf * 1.2 + fleetOurs.offeredPerSecond &&
      `fleet backlog grew (${fleetOurs.backlogAtHalf} → ${fleetOurs.backlogAtEnd})`,
    fleetOurs.adtRequestsPerMessage > t.maxRequestsPerMessage &&
      `fleet ${fleetOurs.adtRequestsPerMessage.toFixed(3)} ADT requests per message > ${t.maxRequestsPerMessage}`,
    fleetOurs.freshness.p99 > t.maxP99FreshnessMs && `fleet p99 freshness ${ms(fleetOurs.freshness.p99)} > ${ms(t.maxP99FreshnessMs)}`,
    fleetOurs.throttledShare > t.max429Share &&
      `fleet 429s ${(fleetOurs.throttledShare * 100).toFixed(2)}% of requests > ${t.max429Share * 100}%`,
    lightOurs.freshness.p99 > lightSamples.freshness.p99 &&
      `light-load p99 freshness ${ms(lightOurs.freshness.p99)} worse than the samples' ${ms(lightSamples.freshness.p99)}`,
    ...[cpu, cpuModel].flatMap((c) => [
      c.messagesPerSecondPerCore < t.minCpuMessagesPerSecond &&
        `CPU path (${c.mapping}) ${c.messagesPerSecondPerCore} msg/s per core < ${t.minCpuMessagesPerSecond}`,
      c.ratio > t.maxCpuFloorRatio && `CPU path (${c.mapping}) ${c.ratio.toFixed(1)}× the JSON.parse floor > ${t.maxCpuFloorRatio}×`,
    ]),
    requireFigures.medianMs > t.maxRequireMs && `cold require ${ms(requireFigures.medianMs)} > ${ms(t.maxRequireMs)}`,
    firstInvocation.firstInvocationMs > t.maxFirstInvocationMs &&
      `first invocation ${ms(firstInvocation.firstInvocationMs)} > ${ms(t.maxFirstInvocationMs)}`,
    rows.some((r) => r.implementation === 'ours' && (r.deadLettered > 0 || r.failedInvocations > 0)) &&
      'our rows dead-lettered or failed an invocation',
  ].filter((m): m is string => typeof m === 'string');
  return { plan, rows, cpu, cpuModel, require: requireFigures, firstInvocation, memory, missed };
}

export function printFleetReport(report: FleetReport): void {
  const { plan, rows, cpu, cpuModel, memory, firstInvocation } = report;
  const f = plan.fleet;
  console.log(
    `\nfleet: ${f.devices} devices × ${f.perDevice} msg/s in bursts (${f.burstSpacingMs} ms apart), ${f.partitions} partitions, ${f.seconds} s offered; ADT limits × ${f.adtScale} (${Math.round(1000 * f.adtScale)} patches/s, ${Math.round(1000 * f.adtScale)} reads/s), latency ${adtLikeLatency.latencyMs + adtLikeLatency.jitterMs / 2} ± ${adtLikeLatency.jitterMs / 2} ms; light: ${plan.light.devices} devices × ${plan.light.perDevice} msg/s, ADT limits × 1; steady p99: messages handed over after the first ${ms(rows[0]?.steadyFreshness.warmUpMs ?? 0)} (warm-up)`,
  );
  console.log(fleetHeader);
  for (const row of rows) console.log(fleetRowLine(row));
  const [fo, fs, lo, ls] = rows as [FleetRowMetrics, FleetRowMetrics, FleetRowMetrics, FleetRowMetrics];
  console.log(
    `ratios samples/ours: fleet applied ${(fo.appliedPerSecond / Math.max(1, fs.appliedPerSecond)).toFixed(1)}× more by ours, ADT requests per message ${(fs.adtRequestsPerMessage / Math.max(1e-9, fo.adtRequestsPerMessage)).toFixed(1)}× fewer, p99 freshness ${(fs.freshness.p99 / Math.max(1, fo.freshness.p99)).toFixed(1)}×; light p99 ${ms(lo.freshness.p99)} (ours) vs ${ms(ls.freshness.p99)} (samples)`,
  );
  for (const c of [cpu, cpuModel]) {
    console.log(
      `CPU path, the registered function's handler (${c.mapping === 'rules' ? 'one rule' : 'zero-config model mapping'}; batches of ${c.batchSize}, look-ups warm, instant in-memory ADT): ${(c.pipelineNsPerMessage / 1000).toFixed(2)} µs/msg = ${c.messagesPerSecondPerCore} msg/s per core; JSON.parse floor ${(c.floorNsPerMessage / 1000).toFixed(2)} µs/msg (${c.ratio.toFixed(1)}× it); of which mapping only (decode + map + validate + coalesce) ${(c.mappingOnlyNsPerMessage / 1000).toFixed(2)} µs/msg (${c.mappingOnlyRatio.toFixed(1)}×)`,
    );
  }
  console.log(
    `cold require of the ingest function (fresh process, median of ${report.require.runs.length}): ${ms(report.require.medianMs)}; loaded: ${report.require.runs[0]?.loadedPackages.join(', ') || 'none of the heavy packages'}`,
  );
  console.log(
    `first invocation, ${firstInvocation.twins} twins new to the process at ${firstInvocation.latencyMs} ms latency: ${ms(firstInvocation.firstInvocationMs)} (after a require of ${ms(firstInvocation.requireMs)}), ${firstInvocation.applied} applied`,
  );
  console.log(
    `memory (GC trace): one batch of ${memory.messages} messages over ${memory.twins} twins peaks ${memory.peakAboveBaselineMb.toFixed(1)} MB above the ${memory.baselineMb.toFixed(1)} MB before it (${Math.round(memory.bytesPerMessage)} B/msg, ${memory.gcsDuringBatch} GCs); twin cache ${Math.round(memory.twinCacheBytesPerTwin)} B per twin (full copy), ${Math.round(memory.guardCopyBytesPerTwin)} B (guard copy); guard tier of ${memory.guardTierTwins.toLocaleString('en-US')} portfolio sensors (4 values and sourceTimes each) ${Math.round(memory.portfolioGuardBytesPerTwin)} B per twin, ${memory.activeTwins.toLocaleString('en-US')} active twins ≈ ${memory.activeTwinsCacheMb.toFixed(0)} MB in both tiers`,
  );
}

export async function fleetMain(argv: readonly string[]): Promise<void> {
  const args = parseFleetArgs(argv);
  if ('help' in args) return void console.log(fleetUsage);
  if ('error' in args) {
    console.error(`${args.error}\n\n${fleetUsage}`);
    process.exitCode = 2;
    return;
  }
  const plan = fleetPlan(args.quick, args.scale);
  let section = 0;
  const report = await runFleetBench(plan, (name) => console.error(`[${++section}/8] ${name}${args.quick ? ' (quick)' : ''}…`));
  printFleetReport(report);
  if (args.json) console.log(JSON.stringify(report, null, 2));
  console.log(report.missed.length ? `\nTargets missed: ${report.missed.join('; ')}` : '\nAll fleet targets met.');
}
