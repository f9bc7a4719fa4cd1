// The issue-13 scale-out benchmark: one backlog of telemetry through the whole local loop (runner,
// real function app, one emulator with ADT's limits and 15 ± 5 ms latency) on n = 1, 2, 4, 8 function
// instances. Per n: applied messages/s, ADT writes per message, 429s as a share of requests, whether
// the final twins equal the one-instance run's, and the most derived writes one parent took in any
// one second. The workload is the sample building copied `buildings` times (so there are enough
// twins for ADT's per-twin limit not to be the only one), with simulator telemetry.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { EmulatorHandle } from '../local/emulator/server';
import { runScenario } from '../local/runner/runScenario';
import { defaultScenarioDirectory } from '../local/scenario';
import { parseSimulatorConfig } from '../local/simulator/deviceProfiles';
import { generateTelemetry, simulatedDevices } from '../local/simulator/generate';

export interface ScaleOutOptions {
  instances: number[];
  buildings: number;
  messages: number;
  /** Event Hub partitions (enough for the largest n to own some each). */
  partitions: number;
  /** Working folder for the generated scenario and dead letters. */
  directory: string;
  onRow?: (row: ScaleOutRow) => void;
}

export interface ScaleOutRow {
  instances: number;
  messages: number;
  applied: number;
  /** From the first telemetry to the last device-twin write (ingest done): what messages/s is over. */
  ingestSeconds: number;
  messagesPerSecond: number;
  /** From the first telemetry until the loop was quiet (every roll-up written) and read back. */
  quietSeconds: number;
  /** Twin writes (patch/replace/create) the emulator took, per applied message: ingest and roll-ups. */
  writesPerMessage: number;
  /** Telemetry requests per applied message (the pipeline forwards each message as twin telemetry). */
  telemetryPerMessage: number;
  /** CPU this process (runner, emulator and every instance thread) used from the first telemetry to the end. */
  cpuSeconds: number;
  adtRequests: number;
  throttled: number;
  throttledShare: number;
  /** Twins whose final state differs from the one-instance run's (0 = exact); for n = 1, from an accounting that did not balance. */
  twinsDiffering: number;
  exact: boolean;
  /** The most derived writes any one parent took within one second (notification times). */
  maxParentWritesPerSecond: number;
  exitCode: number;
}

/** ADT's own limits, the ones the emulator enforces by default. */
export const adtCeilings = { patchesPerSecond: 1000, perTwinWritesPerSecond: 10 };
/** ADT publishes no telemetry limit; the gateway budgets telemetry like patches (shared/adt/limits.ts). */
export const telemetryPerSecond = 1000;
export const scaleTargets = { max429Share: 0.01, maxParentWritesPerSecond: 10, minThroughputShare: 0.9 };

interface GraphLine {
  $dtId?: string;
  $sourceId?: string;
  $targetId?: string;
  [key: string]: unknown;
}

/** The sample building `copies` times over (ids suffixed), with its models, pipeline and simulator profiles. */
export function copiedBuildings(directory: string, copies: number): { scenario: string; parents: Set<string> } {
  const source = defaultScenarioDirectory;
  const scenario = join(directory, `buildings-${copies}`);
  mkdirSync(scenario, { recursive: true });
  cpSync(join(source, 'models'), join(scenario, 'models'), { recursive: true });
  for (const file of ['pipeline.yaml', 'simulator.json']) cpSync(join(source, file), join(scenario, file));
  const lines = readFileSync(join(source, 'graph.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const out: string[] = [];
  const parents = new Set<string>();
  let section = '';
  const sectionLines: Record<string, GraphLine[]> = {};
  for (const line of lines) {
    const value = JSON.parse(line) as GraphLine;
    if (typeof value.Section === 'string') {
      section = value.Section;
      continue;
    }
    (sectionLines[section] ??= []).push(value);
  }
  for (const [name, values] of Object.entries(sectionLines)) {
    out.push(JSON.stringify({ Section: name }));
    const copied = name === 'Twins' || name === 'Relationships';
    if (!copied) {
      for (const value of values) out.push(JSON.stringify(value));
      continue;
    }
    for (let k = 1; k <= copies; k++) {
      for (const value of values) {
        const copy: GraphLine = { ...value };
        for (const key of ['$dtId', '$sourceId', '$targetId'] as const) if (typeof copy[key] === 'string') copy[key] = `${copy[key]}-b${k}`;
        if (name === 'Relationships' && typeof copy.$dtId === 'string') parents.add(copy.$dtId);
        out.push(JSON.stringify(copy));
      }
    }
  }
  writeFileSync(join(scenario, 'graph.ndjson'), `${out.join('\n')}\n`);
  return { scenario, parents };
}

function writeTelemetry(scenario: string, messages: number): string {
  const config = parseSimulatorConfig(JSON.parse(readFileSync(join(scenario, 'simulator.json'), 'utf8')), 'simulator.json');
  const twins = readFileSync(join(scenario, 'graph.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"$metadata"'))
    .map((l) => JSON.parse(l) as { $dtId: string; $metadata: { $model: string } });
  const devices = simulatedDevices(twins, config);
  // 20 readings/s per device: several per twin in each batch, as a backlog after a pause looks.
  const envelopes = [
    ...generateTelemetry({
      devices,
      config,
      rate: devices.length * 20,
      count: messages,
      start: new Date('2024-05-01T08:00:00Z'),
      seed: 13,
    }),
  ];
  const path = join(scenario, 'telemetry.ndjson');
  writeFileSync(path, `${envelopes.map((e) => JSON.stringify(e)).join('\n')}\n`);
  return path;
}

/** Most writes one twin took in any window of one second, from the times of its update notifications. */
export function maxWritesPerSecond(times: Map<string, number[]>): number {
  let max = 0;
  for (const list of times.values()) {
    const sorted = [...list].sort((a, b) => a - b);
    for (let start = 0, end = 0; end < sorted.length; end++) {
      while (sorted[end]! - sorted[start]! >= 1000) start++;
      max = Math.max(max, end - start + 1);
    }
  }
  return max;
}

function telemetryRequests(emulator: EmulatorHandle): number {
  return emulator.counters().operations.telemetry?.requests ?? 0;
}

function twinWrites(emulator: EmulatorHandle): number {
  let n = 0;
  for (const counts of Object.values(emulator.counters().twinWrites)) n += counts.create + counts.replace + counts.patch;
  return n;
}

function differing(a: { twins: unknown[] }, b: { twins: unknown[] }): number {
  const key = (t: unknown) => JSON.stringify(t);
  const theirs = new Set(b.twins.map(key));
  return a.twins.filter((t) => !theirs.has(key(t))).length + Math.max(0, b.twins.length - a.twins.length);
}

export async function runScaleOut(options: ScaleOutOptions): Promise<ScaleOutRow[]> {
  const { scenario, parents } = copiedBuildings(options.directory, options.buildings);
  const telemetry = writeTelemetry(scenario, options.messages);
  const rows: ScaleOutRow[] = [];
  let reference: { twins: unknown[] } | undefined;
  for (const n of options.instances) {
    let emulator: EmulatorHandle | undefined;
    let fedAt = 0;
    let writesBefore = 0;
    let telemetryBefore = 0;
    let cpuBefore = process.cpuUsage();
    const parentWrites = new Map<string, number[]>();
    let lastDeviceWrite = 0;
    const result = await runScenario({
      scenario,
      telemetry,
      instances: n,
      partitions: options.partitions,
      // Event Grid pushes to the whole app; each instance takes as many at once as one does alone.
      deliveries: 16 * n,
      adtFaults: { latencyMs: 10, jitterMs: 10 },
      maxRetryDelayMs: 1000,
      deadLetterDirectory: join(options.directory, `dead-letters-${n}`),
      beforeFeed: (context) => {
        emulator = context.emulator;
        writesBefore = emulator ? twinWrites(emulator) : 0;
        telemetryBefore = emulator ? telemetryRequests(emulator) : 0;
        cpuBefore = process.cpuUsage();
        emulator?.events.subscribe('local-propagate', async (event) => {
          const e = event as unknown as { type?: string; subject?: string; time?: string };
          if (e.type !== 'Microsoft.DigitalTwins.Twin.Update' || !e.subject) return;
          const at = e.time ? Date.parse(e.time) : Date.now();
          if (!parents.has(e.subject)) {
            lastDeviceWrite = Math.max(lastDeviceWrite, at);
            return;
          }
          const list = parentWrites.get(e.subject) ?? [];
          list.push(at);
          parentWrites.set(e.subject, list);
        });
        fedAt = Date.now();
      },
    });
    const quietSeconds = (Date.now() - fedAt) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    // No device write seen (nothing applied): fall back to the whole run rather than divide by zero.
    const ingestSeconds = lastDeviceWrite > fedAt ? (lastDeviceWrite - fedAt) / 1000 : quietSeconds;
    const { summary, dump } = result;
    const applied = summary.accounting.applied;
    const adtRequests = summary.stats.adtCalls ?? 0;
    const throttled = summary.stats.adtThrottled ?? 0;
    const twinsDiffering = reference ? differing(dump, reference) : summary.accounting.balanced ? 0 : dump.twins.length;
    reference ??= dump;
    const row: ScaleOutRow = {
      instances: n,
      messages: options.messages,
      applied,
      ingestSeconds,
      messagesPerSecond: applied / ingestSeconds,
      quietSeconds,
      writesPerMessage: emulator && applied > 0 ? (twinWrites(emulator) - writesBefore) / applied : 0,
      telemetryPerMessage: emulator && applied > 0 ? (telemetryRequests(emulator) - telemetryBefore) / applied : 0,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      adtRequests,
      throttled,
      throttledShare: adtRequests > 0 ? throttled / adtRequests : 0,
      twinsDiffering,
      exact: twinsDiffering === 0 && summary.accounting.balanced,
      maxParentWritesPerSecond: maxWritesPerSecond(parentWrites),
      exitCode: summary.exitCode,
    };
    rows.push(row);
    options.onRow?.(row);
  }
  return rows;
}

export interface TargetCheck {
  name: string;
  met: boolean;
  detail: string;
}

/** The issue's targets at the largest n, against the one-instance row and ADT's ceiling. */
export function checkTargets(rows: ScaleOutRow[]): TargetCheck[] {
  const single = rows.find((r) => r.instances === 1);
  const top = rows.reduce((a, b) => (b.instances > a.instances ? b : a));
  // ADT's ceiling in messages/s: the tighter of its patch limit over the writes one message costs and
  // the telemetry budget over the telemetry requests one message costs.
  const perLimit = [
    single && single.writesPerMessage > 0 ? adtCeilings.patchesPerSecond / single.writesPerMessage : Number.POSITIVE_INFINITY,
    single && single.telemetryPerMessage > 0 ? telemetryPerSecond / single.telemetryPerMessage : Number.POSITIVE_INFINITY,
  ];
  const ceiling = Math.min(...perLimit);
  const better = Math.max(single?.messagesPerSecond ?? 0, Number.isFinite(ceiling) ? ceiling : 0);
  const wanted = scaleTargets.minThroughputShare * better;
  return [
    {
      name: `n=${top.instances}: 429s below 1 % of requests`,
      met: top.throttledShare < scaleTargets.max429Share,
      detail: `${(top.throttledShare * 100).toFixed(2)} %`,
    },
    {
      name: `n=${top.instances}: no parent above 10 writes/s`,
      met: top.maxParentWritesPerSecond <= scaleTargets.maxParentWritesPerSecond,
      detail: `max ${top.maxParentWritesPerSecond}/s`,
    },
    {
      name: `n=${top.instances}: throughput ≥ 90 % of max(single-instance ${single?.messagesPerSecond.toFixed(0)}/s, ADT ceiling ${ceiling.toFixed(0)}/s)`,
      met: top.messagesPerSecond >= wanted,
      detail: `${top.messagesPerSecond.toFixed(0)}/s of ${wanted.toFixed(0)}/s wanted`,
    },
    {
      name: `n=${top.instances}: final state exact`,
      met: top.exact,
      detail: top.exact ? 'equal to n=1' : `${top.twinsDiffering} twin(s) differ`,
    },
  ];
}

export function renderTable(rows: ScaleOutRow[]): string {
  const head =
    '| n | applied msgs | ingest s | msgs/s | quiet after s | ADT writes/msg | telemetry/msg | ADT requests | 429s | 429 share | exact vs n=1 | max parent writes/s | CPU s |';
  const rule = '|---|---|---|---|---|---|---|---|---|---|---|---|---|';
  const body = rows.map(
    (r) =>
      `| ${r.instances} | ${r.applied} | ${r.ingestSeconds.toFixed(1)} | ${r.messagesPerSecond.toFixed(1)} | ${r.quietSeconds.toFixed(1)} | ${r.writesPerMessage.toFixed(3)} | ${r.telemetryPerMessage.toFixed(2)} | ${r.adtRequests} | ${r.throttled} | ${(r.throttledShare * 100).toFixed(2)} % | ${r.exact ? 'yes' : `no (${r.twinsDiffering} twins)`} | ${r.maxParentWritesPerSecond} | ${r.cpuSeconds.toFixed(1)} |`,
  );
  return [head, rule, ...body].join('\n');
}
