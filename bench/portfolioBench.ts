// One row of the portfolio benchmark (issue 25): many twins, each reporting rarely, through the
// shared traffic machinery (bench/trafficRow.ts: the local host's feeder, the emulator in its own
// process with ADT's limits scaled, every request counted by kind). Measured here: freshness of
// CHANGED values per twin property (hand-over until ADT acknowledged a write of that property with
// a sourceTime at least as new), the backlog's slope after the warm-up, the oldest twin's age and how
// far each twin's newest acknowledged sourceTime trails its newest reading, and a correctness check:
// every twin ours has caught up on holds its newest reading — within the configured deadbands, its
// sourceTime within maxAge of the reading's (exactly, without deadbands).

import type { TwinDoc } from '../local/emulator/types';
import {
  portfolioDeviceId,
  portfolioEnvelope,
  portfolioImport,
  type PortfolioMessage,
  portfolioProperties,
  type PortfolioProperty,
  portfolioSchedule,
  type PortfolioShape,
  significance,
} from './portfolioTraffic';
import { type EmulatorLatency, type Implementation, percentile, type RequestsByKind, runTrafficRow, slope } from './trafficRow';

export interface PortfolioRowMetrics {
  implementation: Implementation;
  values: PortfolioShape['values'];
  shape: PortfolioShape;
  offered: number;
  offeredPerSecond: number;
  /** Messages whose invocation completed within the window. */
  applied: number;
  appliedPerSecond: number;
  /** Counted at the emulator over the window. */
  requests: RequestsByKind;
  /** Requests per applied message, by kind. */
  perMessage: { total: number; get: number; patch: number; query: number; model: number };
  throttled429: number;
  /** Sampled backlog (messages handed over, not completed), seconds since the start. */
  backlog: Array<{ atSeconds: number; backlog: number }>;
  backlogAtEnd: number;
  /** Least-squares slope of the backlog after the warm-up, msg/s (≈ 0: keeps up). */
  backlogSlopePerSecond: number;
  warmUpSeconds: number;
  keepsUp: boolean;
  /** Changed values handed over in the window (per property). */
  changedValues: number;
  /** ms from hand-over until a write of the property at least as new was acknowledged; values never written count their age at the window's end (then lowerBound). */
  freshness: { p50: number; p99: number; max: number; lowerBound: boolean; unseen: number };
  /** At the window's end: now − the newest acknowledged sourceTime of the twin least recently written. */
  oldestTwinAgeMs: number;
  /** At the window's end: the most any twin's newest acknowledged sourceTime trails its newest reading. */
  maxBehindNewestMs: number;
  /** Twins whose newest reading is not yet acknowledged at the window's end. */
  twinsBehind: number;
  peakRssMb: number;
  peakHeapMb: number;
  invocations: number;
  meanBatch: number;
  deadLettered: number;
  failedInvocations: number;
  lostBatches: number;
  /** Ours, after the drain: twins whose newest reading was acknowledged, and those not holding it exactly. */
  check?: { drained: boolean; drainedAfterMs: number; twinsChecked: number; twinsWrong: number; wrong: string[] };
  /** PATCHes acknowledged as the bench saw them, and ADT's 2xx PATCHes, at the end (they must agree). */
  patchesAcknowledged: number;
  patchesAppliedAtEmulator: number;
  /** The samples: messages acknowledged, at the end. */
  messagesAcknowledged: number;
  wallMs: number;
}

/**
 * Ours as the portfolio runs it: the body's `ts` is the source time. Deadbands configured here must
 * stay within the value model's significance (bench/portfolioTraffic.ts), or changed values would
 * never be written and their freshness would count as unseen: temperature 0.1 °C, humidity 0.5 %RH,
 * occupied and setpoint on any change (equality, no configuration). maxAge is the heartbeat the
 * targets assume (portfolioRun's `portfolioTargets.maxAgeMs`), scaled with the reporting period
 * (--quick compresses time by 10).
 */
export function portfolioConfigFor(periodSeconds: number) {
  return {
    ingest: {
      options: { sourceTime: 'ts', maxAgeSeconds: (portfolioMaxAgeSeconds * periodSeconds) / 60 },
      rules: [
        {
          name: 'building-sensor',
          properties: [
            { target: 'temperature', deadband: { absolute: significance.temperature } },
            { target: 'humidity', deadband: { absolute: significance.humidity } },
            { target: 'occupied' },
            { target: 'setpoint' },
          ],
        },
      ],
    },
  };
}

/**
 * The maxAge heartbeat at full time scale (a 60-s reporting period); portfolioTargets.maxAgeMs is the
 * same. An unchanged twin costs a PATCH every ⌊maxAge / period⌋ + 1 readings: 120 s would be every
 * 3rd (0.33 PATCH per message before any change, over the 0.3 target by itself); 300 s, a common
 * "current within 5 minutes" for building dashboards, is every 6th (0.17).
 */
export const portfolioMaxAgeSeconds = 300;

export const portfolioPipelineConfig = portfolioConfigFor(60);

export interface PortfolioRowOptions {
  latency?: EmulatorLatency;
  /** Ours: after the window, keep delivering at most this long, then check the twins. */
  drainMs?: number;
  /** Our pipeline configuration (default: portfolioConfigFor(the shape's period), i.e. portfolioPipelineConfig at full time scale). */
  config?: unknown;
  /** What the check tolerates with that configuration: the deadbands and maxAge (default: the default configuration's). */
  tolerance?: CheckTolerance;
}

interface Pending {
  tsMs: number;
  handoverMs: number;
}

/** Per twin property, the changed values handed over and not yet acknowledged, oldest first. */
class ChangedValueTracker {
  private readonly pending = new Map<string, Pending[]>();
  private readonly heads = new Map<string, number>();
  readonly ages: number[] = [];
  count = 0;

  handedOver(key: string, tsMs: number, at: number): void {
    let queue = this.pending.get(key);
    if (!queue) this.pending.set(key, (queue = []));
    queue.push({ tsMs, handoverMs: at });
    this.count++;
  }

  /** A write of the property with this sourceTime was acknowledged. */
  written(key: string, sourceTimeMs: number, at: number): void {
    const queue = this.pending.get(key);
    if (!queue) return;
    let head = this.heads.get(key) ?? 0;
    while (head < queue.length && (queue[head] as Pending).tsMs <= sourceTimeMs) this.ages.push(at - (queue[head++] as Pending).handoverMs);
    this.heads.set(key, head);
  }

  unseenAges(at: number): number[] {
    const ages: number[] = [];
    for (const [key, queue] of this.pending)
      for (let i = this.heads.get(key) ?? 0; i < queue.length; i++) ages.push(at - (queue[i] as Pending).handoverMs);
    return ages;
  }
}

const metadataPath = /^\/\$metadata\/([^/]+)\/sourceTime$/;

export async function runPortfolioRow(
  implementation: Implementation,
  shape: PortfolioShape,
  options: PortfolioRowOptions = {},
): Promise<PortfolioRowMetrics> {
  const schedule = portfolioSchedule(shape);
  // The twins' initial sourceTime: just before the traffic, so a twin never written ages with the run.
  const initialMs = Date.now();
  const importNdjson = portfolioImport(shape, new Date(initialMs).toISOString());
  const changed = new ChangedValueTracker();
  const newest = new Map<string, { tsMs: number; message: PortfolioMessage }>();
  const acknowledged = new Map<string, number>();
  let patchesAcknowledged = 0;
  let messagesAcknowledged = 0;
  const processed = new Map<string, number>();
  const acknowledge = (twinId: string, tsMs: number): void => {
    if (tsMs > (acknowledged.get(twinId) ?? 0)) acknowledged.set(twinId, tsMs);
  };
  // Measured at the window's end; acknowledgements during the drain only serve the correctness check.
  let atWindowEnd: { ages: number[]; unseen: number[]; oldestAck: number; maxBehind: number; twinsBehind: number } | undefined;
  const windowClosed = (at: number): void => {
    let oldestAck = Number.POSITIVE_INFINITY;
    let maxBehind = 0;
    let twinsBehind = 0;
    for (let device = 0; device < shape.devices; device++) {
      const twinId = portfolioDeviceId(device);
      const ack = acknowledged.get(twinId) ?? initialMs;
      oldestAck = Math.min(oldestAck, ack);
      const latest = newest.get(twinId);
      if (latest && latest.tsMs > ack) {
        twinsBehind++;
        maxBehind = Math.max(maxBehind, latest.tsMs - ack);
      }
    }
    atWindowEnd = { ages: [...changed.ages], unseen: changed.unseenAges(at), oldestAck, maxBehind, twinsBehind };
  };

  const row = await runTrafficRow({
    implementation,
    schedule,
    devices: shape.devices,
    partitions: shape.partitions,
    adtScale: shape.adtScale,
    seconds: shape.seconds,
    importNdjson,
    envelope: portfolioEnvelope,
    seed: shape.seed,
    windowClosed,
    snapshot: implementation === 'ours',
    ...(implementation === 'ours' && { drainMs: options.drainMs ?? 0 }),
    ...(options.latency && { latency: options.latency }),
    config: options.config ?? portfolioConfigFor(shape.periodSeconds),
    processed: (envelope) => {
      const tsMs = Date.parse((envelope.body as { ts: string }).ts);
      if (tsMs > (processed.get(envelope.deviceId) ?? 0)) processed.set(envelope.deviceId, tsMs);
    },
    handedOver: (message, envelope, at) => {
      const tsMs = Date.parse((envelope.body as { ts: string }).ts);
      newest.set(envelope.deviceId, { tsMs, message });
      for (const property of message.changed) changed.handedOver(`${envelope.deviceId}/${property}`, tsMs, at);
    },
    patched: (twinId, patch, at) => {
      patchesAcknowledged++;
      for (const op of patch) {
        const property = metadataPath.exec(op.path)?.[1];
        if (property === undefined || typeof op.value !== 'string') continue;
        const tsMs = Date.parse(op.value);
        changed.written(`${twinId}/${property}`, tsMs, at);
        acknowledge(twinId, tsMs);
      }
    },
    applied: (envelope, at) => {
      messagesAcknowledged++;
      const tsMs = Date.parse((envelope.body as { ts: string }).ts);
      for (const property of portfolioProperties) changed.written(`${envelope.deviceId}/${property}`, tsMs, at);
      acknowledge(envelope.deviceId, tsMs);
    },
  });

  const seconds = row.windowMs / 1000;
  const { requests } = row;
  const perApplied = (n: number): number => n / Math.max(1, row.applied);
  const end = atWindowEnd as NonNullable<typeof atWindowEnd>;
  const { unseen } = end;
  const ages = [...end.ages, ...unseen].sort((a, b) => a - b);
  const p99 = percentile(ages, 99);
  // Warm-up: one reporting period (every device has sent once, every twin had its first touch), at most half the window.
  const warmUpMs = Math.min(shape.periodSeconds * 1000, row.windowMs / 2);
  const backlog = row.backlog.map((s) => ({ atSeconds: s.atMs / 1000, backlog: s.backlog }));
  const backlogSlope = slope(row.backlog.filter((s) => s.atMs >= warmUpMs).map((s) => ({ x: s.atMs / 1000, y: s.backlog })));
  const offeredPerSecond = row.offered / seconds;

  const tolerance = options.tolerance ?? (options.config === undefined ? defaultTolerance(shape.periodSeconds) : exactTolerance);
  const check = row.twins ? checkTwins(row.twins, newest, processed, tolerance, row.drained ?? false, row.drainedAfterMs ?? 0) : undefined;
  return {
    implementation,
    values: shape.values,
    shape,
    offered: row.offered,
    offeredPerSecond,
    applied: row.applied,
    appliedPerSecond: row.applied / seconds,
    requests,
    perMessage: {
      total: perApplied(requests.total),
      get: perApplied(requests.reads),
      patch: perApplied(requests.patches),
      query: perApplied(requests.queries),
      model: perApplied(requests.modelReads),
    },
    throttled429: requests.throttled,
    backlog,
    backlogAtEnd: row.backlogAtEnd,
    backlogSlopePerSecond: backlogSlope,
    warmUpSeconds: warmUpMs / 1000,
    keepsUp: backlogSlope <= Math.max(0.5, 0.02 * offeredPerSecond),
    changedValues: changed.count,
    freshness: {
      p50: percentile(ages, 50),
      p99,
      max: ages[ages.length - 1] ?? 0,
      lowerBound: unseen.some((age) => age >= p99),
      unseen: unseen.length,
    },
    oldestTwinAgeMs: row.windowEndWallMs - end.oldestAck,
    maxBehindNewestMs: end.maxBehind,
    twinsBehind: end.twinsBehind,
    peakRssMb: row.peakRssMb,
    peakHeapMb: row.peakHeapMb,
    invocations: row.invocations,
    meanBatch: row.meanBatch,
    deadLettered: row.deadLettered,
    failedInvocations: row.failedInvocations,
    lostBatches: row.lostBatches,
    ...(check && { check }),
    patchesAcknowledged,
    patchesAppliedAtEmulator: row.requestsAtEnd.patchesApplied,
    messagesAcknowledged,
    wallMs: row.wallMs,
  };
}

/** Per numeric property, how far a stored value may be from the newest reading; how far its sourceTime may trail it. */
export interface CheckTolerance {
  deadband: Partial<Record<PortfolioProperty, number>>;
  maxAgeMs: number;
}

/** Without deadbands: exactly the newest reading, its time as the sourceTime. */
export const exactTolerance: CheckTolerance = { deadband: {}, maxAgeMs: 0 };

function defaultTolerance(periodSeconds: number): CheckTolerance {
  return { deadband: { ...significance }, maxAgeMs: (portfolioMaxAgeSeconds * 1000 * periodSeconds) / 60 };
}

/**
 * Every twin whose newest reading ours has processed (drained) must hold, per property, a value within
 * the deadband of that reading (exactly it where no deadband is set: occupied, setpoint) whose stored
 * sourceTime is at most maxAge older than the reading and not newer — with deadbands a twin whose
 * newest reading was suppressed holds an equivalent value, not the same one. Without deadbands the
 * tolerance is zero: exactly the newest reading and its time. (Twins not yet processed are the backlog.)
 */
export function checkTwins(
  twins: TwinDoc[],
  newest: Map<string, { tsMs: number; message: PortfolioMessage }>,
  processed: Map<string, number>,
  tolerance: CheckTolerance,
  drained: boolean,
  drainedAfterMs: number,
): NonNullable<PortfolioRowMetrics['check']> {
  let twinsChecked = 0;
  const wrong: string[] = [];
  for (const twin of twins) {
    const latest = newest.get(twin.$dtId);
    if (!latest || (processed.get(twin.$dtId) ?? 0) < latest.tsMs) continue;
    twinsChecked++;
    const differs: string[] = [];
    for (const property of portfolioProperties) {
      const expected = latest.message.values[property];
      const stored = twin[property];
      const band = tolerance.deadband[property];
      const near =
        band !== undefined && typeof stored === 'number' && typeof expected === 'number'
          ? Math.abs(stored - expected) <= band + 1e-9
          : stored === expected;
      if (!near) differs.push(`${property} ${String(stored)} (newest ${String(expected)})`);
      const storedMs = Date.parse(String((twin.$metadata[property] as { sourceTime?: string } | undefined)?.sourceTime ?? 0));
      const behind = latest.tsMs - storedMs;
      if (behind < 0 || behind > tolerance.maxAgeMs)
        differs.push(`${property} sourceTime ${behind} ms behind (maxAge ${tolerance.maxAgeMs} ms)`);
    }
    if (differs.length > 0) wrong.push(`${twin.$dtId}: ${differs.join(', ')}`);
  }
  return { drained, drainedAfterMs, twinsChecked, twinsWrong: wrong.length, wrong: wrong.slice(0, 10) };
}
