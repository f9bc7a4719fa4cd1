// One row of the fleet benchmark: a fleet's traffic offered in real time through the local host's
// Event Hub feeder (partitions, batches per host.json, one invocation at a time per partition) to
// our ingest or to the samples' algorithm, on a fresh emulator with ADT's limits and latency.
// What ADT saw is counted at the emulator (every request: GETs, model reads, PATCHes); freshness is
// measured per message from hand-over (enqueued on its partition) until a value at least as new is
// acknowledged on its twin.

import type { EventHubBatching } from '../local/runner/hostConfig';
import { deviceId, fleetEnvelope, fleetImport, fleetSchedule, type FleetShape } from './fleetTraffic';
import { type EmulatorLatency, type Implementation, percentile, runTrafficRow } from './trafficRow';

export { adtLikeLatency, type EmulatorLatency, percentile } from './trafficRow';

export type FleetImplementation = Implementation;

export interface FleetRowMetrics {
  implementation: FleetImplementation;
  label: string;
  offered: number;
  offeredPerSecond: number;
  /** Messages whose invocation completed within the window. */
  applied: number;
  appliedPerSecond: number;
  /** Offered but not completed when the window closed (waiting or in an invocation still running). */
  backlogAtEnd: number;
  /** The same halfway through: a backlog that keeps up stays about the same, one that does not grows. */
  backlogAtHalf: number;
  invocations: number;
  meanBatch: number;
  adtRequests: { total: number; reads: number; modelReads: number; patches: number; other: number };
  adtRequestsPerMessage: number;
  patchesPerMessage: number;
  throttled429: number;
  throttledShare: number;
  /** ms from hand-over until a value at least as new is on the twin; a message never written counts its age at the end (then lowerBound). */
  freshness: { p50: number; p99: number; max: number; lowerBound: boolean };
  /**
   * The same for messages handed over after the warm-up (the first quarter of the window, at most
   * 5 s: every twin's first-touch read and the batches settling), i.e. the pipeline's steady state.
   */
  steadyFreshness: { p50: number; p99: number; warmUpMs: number };
  deadLettered: number;
  failedInvocations: number;
  wallMs: number;
}

interface Pending {
  n: number;
  handoverMs: number;
}

/** Per twin, the messages handed over but not yet visible, oldest first (a device's numbers only grow). */
class FreshnessTracker {
  private readonly pending = new Map<string, Pending[]>();
  private readonly heads = new Map<string, number>();
  /** Age when visible, and the hand-over time, of each message made visible. */
  readonly samples: Array<{ age: number; handoverMs: number }> = [];

  handedOver(twinId: string, n: number, at: number): void {
    let queue = this.pending.get(twinId);
    if (!queue) this.pending.set(twinId, (queue = []));
    queue.push({ n, handoverMs: at });
  }

  visible(twinId: string, n: number, at: number): void {
    const queue = this.pending.get(twinId);
    if (!queue) return;
    let head = this.heads.get(twinId) ?? 0;
    while (head < queue.length && (queue[head] as Pending).n <= n) {
      const { handoverMs } = queue[head++] as Pending;
      this.samples.push({ age: at - handoverMs, handoverMs });
    }
    this.heads.set(twinId, head);
  }

  /** Ages of messages still not visible at `at`. */
  unseen(at: number): Array<{ age: number; handoverMs: number }> {
    const ages: Array<{ age: number; handoverMs: number }> = [];
    for (const [twinId, queue] of this.pending) {
      for (let i = this.heads.get(twinId) ?? 0; i < queue.length; i++) {
        const { handoverMs } = queue[i] as Pending;
        ages.push({ age: at - handoverMs, handoverMs });
      }
    }
    return ages;
  }
}

export interface FleetRowOptions {
  label: string;
  latency?: EmulatorLatency;
  batching?: EventHubBatching;
  seed?: number;
}

export async function runFleetRow(
  implementation: FleetImplementation,
  shape: FleetShape,
  options: FleetRowOptions,
): Promise<FleetRowMetrics> {
  const freshness = new FreshnessTracker();
  const schedule = fleetSchedule(shape);
  const row = await runTrafficRow({
    implementation,
    schedule,
    devices: shape.devices,
    partitions: shape.partitions,
    adtScale: shape.adtScale,
    seconds: shape.seconds,
    importNdjson: fleetImport(shape.devices),
    envelope: fleetEnvelope,
    ...(options.latency && { latency: options.latency }),
    ...(options.batching && { batching: options.batching }),
    ...(options.seed !== undefined && { seed: options.seed }),
    handedOver: (message, _envelope, at) => freshness.handedOver(deviceId(message.device), message.n, at),
    // Ours: the acknowledged PATCH's temperature is the message number it carries.
    patched: (twinId, patch, at) => {
      const value = patch.find((op) => op.path === '/temperature')?.value;
      if (typeof value === 'number') freshness.visible(twinId, value, at);
    },
    applied: (envelope, at) => freshness.visible(envelope.deviceId, (envelope.body as { temperature: number }).temperature, at),
  });

  const windowMs = row.windowMs;
  const { requests } = row;
  const unseen = freshness.unseen(row.windowEndAt);
  const all = [...freshness.samples, ...unseen].map((sample) => sample.age).sort((a, b) => a - b);
  const p99 = percentile(all, 99);
  const warmUpMs = Math.min(5000, windowMs / 4);
  const steady = [...freshness.samples, ...unseen]
    .filter((sample) => sample.handoverMs - row.startedAt >= warmUpMs)
    .map((sample) => sample.age)
    .sort((a, b) => a - b);
  const seconds = windowMs / 1000;
  return {
    implementation,
    label: options.label,
    offered: row.offered,
    offeredPerSecond: row.offered / seconds,
    applied: row.applied,
    appliedPerSecond: row.applied / seconds,
    backlogAtEnd: row.backlogAtEnd,
    backlogAtHalf: row.backlogAtHalf,
    invocations: row.invocations,
    meanBatch: row.meanBatch,
    adtRequests: {
      total: requests.total,
      reads: requests.reads,
      modelReads: requests.modelReads,
      patches: requests.patches,
      other: requests.total - requests.reads - requests.modelReads - requests.patches,
    },
    adtRequestsPerMessage: requests.total / Math.max(1, row.applied),
    patchesPerMessage: requests.patches / Math.max(1, row.applied),
    throttled429: requests.throttled,
    throttledShare: requests.throttled / Math.max(1, requests.total),
    freshness: { p50: percentile(all, 50), p99, max: all[all.length - 1] ?? 0, lowerBound: unseen.some((sample) => sample.age >= p99) },
    steadyFreshness: { p50: percentile(steady, 50), p99: percentile(steady, 99), warmUpMs },
    deadLettered: row.deadLettered,
    failedInvocations: row.failedInvocations,
    wallMs: row.wallMs,
  };
}
