// One row of the portfolio benchmark (issue 25): many twins, each reporting rarely, through the
// shared traffic machinery (bench/trafficRow.ts: the local host's feeder, the emulator in its own
// process with ADT's limits scaled, every request counted by kind). Measured here: freshness of
// CHANGED values per twin property (hand-over until ADT acknowledged a write of that property with
// a sourceTime at least as new), the backlog's slope after the warm-up, the oldest twin's age and how
// far each twin's newest acknowledged sourceTime trails its newest reading, and a correctness check:
// every twin ours has caught up on holds exactly its newest reading (values and sourceTime).

import type { TwinDoc } from '../local/emulator/types';
import { portfolioDeviceId, portfolioEnvelope, portfolioImport, type PortfolioMessage, portfolioProperties, type PortfolioProperty, portfolioSchedule, type PortfolioShape } from './portfolioTraffic';
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
 * never be written and their freshness would count as unseen.
 */
export const portfolioPipelineConfig = { ingest: { options: { sourceTime: 'ts' } } };

export interface PortfolioRowOptions {
  latency?: EmulatorLatency;
  /** Ours: after the window, keep delivering at most this long, then check the twins. */
  drainMs?: number;
  /** Our pipeline configuration (default: portfolioPipelineConfig). */
  config?: unknown;
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
    for (const [key, queue] of this.pending) for (let i = this.heads.get(key) ?? 0; i < queue.length; i++) ages.push(at - (queue[i] as Pending).handoverMs);
    return ages;
  }
}

const metadataPath = /^\/\$metadata\/([^/]+)\/sourceTime$/;

export async function runPortfolioRow(implementation: Implementation, shape: PortfolioShape, options: PortfolioRowOptions = {}): Promise<PortfolioRowMetrics> {
  const schedule = portfolioSchedule(shape);
  // The twins' initial sourceTime: just before the traffic, so a twin never written ages with the run.
  const initialMs = Date.now();
  const importNdjson = portfolioImport(shape, new Date(initialMs).toISOString());
  const changed = new ChangedValueTracker();
  const newest = new Map<string, { tsMs: number; message: PortfolioMessage }>();
  const acknowledged = new Map<string, number>();
  let patchesAcknowledged = 0;
  let messagesAcknowledged = 0;
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
    config: options.config ?? portfolioPipelineConfig,
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

  const check = row.twins ? checkTwins(row.twins, newest, acknowledged, row.drained ?? false, row.drainedAfterMs ?? 0) : undefined;
  return {
    implementation,
    values: shape.values,
    shape,
    offered: row.offered,
    offeredPerSecond,
    applied: row.applied,
    appliedPerSecond: row.applied / seconds,
    requests,
    perMessage: { total: perApplied(requests.total), get: perApplied(requests.reads), patch: perApplied(requests.patches), query: perApplied(requests.queries), model: perApplied(requests.modelReads) },
    throttled429: requests.throttled,
    backlog,
    backlogAtEnd: row.backlogAtEnd,
    backlogSlopePerSecond: backlogSlope,
    warmUpSeconds: warmUpMs / 1000,
    keepsUp: backlogSlope <= Math.max(0.5, 0.02 * offeredPerSecond),
    changedValues: changed.count,
    freshness: { p50: percentile(ages, 50), p99, max: ages[ages.length - 1] ?? 0, lowerBound: unseen.some((age) => age >= p99), unseen: unseen.length },
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

/**
 * Every twin whose newest reading ADT acknowledged must hold exactly that reading: its values and,
 * as the newest of its sourceTimes, the reading's time. (Twins still behind are the backlog.)
 */
function checkTwins(twins: TwinDoc[], newest: Map<string, { tsMs: number; message: PortfolioMessage }>, acknowledged: Map<string, number>, drained: boolean, drainedAfterMs: number): NonNullable<PortfolioRowMetrics['check']> {
  let twinsChecked = 0;
  const wrong: string[] = [];
  for (const twin of twins) {
    const latest = newest.get(twin.$dtId);
    if (!latest || (acknowledged.get(twin.$dtId) ?? 0) < latest.tsMs) continue;
    twinsChecked++;
    const differs = portfolioProperties.filter((property: PortfolioProperty) => twin[property] !== latest.message.values[property]);
    const stored = Math.max(...portfolioProperties.map((property) => Date.parse(String((twin.$metadata[property] as { sourceTime?: string } | undefined)?.sourceTime ?? 0))));
    if (stored !== latest.tsMs) differs.push('sourceTime' as PortfolioProperty);
    if (differs.length > 0) wrong.push(`${twin.$dtId}: ${differs.join(', ')}`);
  }
  return { drained, drainedAfterMs, twinsChecked, twinsWrong: wrong.length, wrong: wrong.slice(0, 10) };
}
