// One row of the fleet benchmark: a fleet's traffic offered in real time through the local host's
// Event Hub feeder (partitions, batches per host.json, one invocation at a time per partition) to
// our ingest or to the samples' algorithm, on a fresh emulator with ADT's limits and latency.
// What ADT saw is counted at the emulator (every request: GETs, model reads, PATCHes); freshness is
// measured per message from hand-over (enqueued on its partition) until a value at least as new is
// acknowledged on its twin.

import { performance } from 'node:perf_hooks';

import { createEmulatorClient, stubCredential, TrustingHttpClient } from '../local/emulator/trust';
import { EventHubFeeder } from '../local/runner/eventHubFeeder';
import type { EnqueuedEvent } from '../local/runner/eventHubTriggerRequest';
import { batchCeiling, type EventHubBatching, eventHubBatching } from '../local/runner/hostConfig';
import { noRetry } from '../local/runner/retryPolicy';
import { AdtGateway, createAdtClient, type JsonPatchOperation, type PortCallOptions, SdkAdtPort } from '../shared/adt';
import { compilePipelineConfig } from '../shared/config';
import { createIngestPlanner, envelopeBodyBytes, processBatch, type RawEvent } from '../shared/ingest';
import type { IngestRuntime } from '../shared/worker';
import { startEmulatorProcess } from './emulatorProcess';
import { deviceId, fleetEnvelope, fleetImport, fleetSchedule, type FleetShape } from './fleetTraffic';
import { CountingSink } from './ingestBench';
import { naiveIngestBatch } from './naiveIngest';

export type FleetImplementation = 'ours' | 'samples';

export interface EmulatorLatency {
  /** Fixed part of every request's latency (ms). */
  latencyMs: number;
  /** Uniform extra latency in [0, jitterMs). */
  jitterMs: number;
}

/** ADT-like latency of 15 ± 5 ms. */
export const adtLikeLatency: EmulatorLatency = { latencyMs: 10, jitterMs: 10 };

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

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** A port that reports each acknowledged PATCH's temperature (= message number) as visible. */
class ObservedPort extends SdkAdtPort {
  constructor(
    client: ConstructorParameters<typeof SdkAdtPort>[0],
    private readonly onVisible: (twinId: string, n: number) => void,
  ) {
    super(client);
  }

  override async updateTwin(twinId: string, patch: JsonPatchOperation[], options: PortCallOptions & { ifMatch?: string }): Promise<{ etag: string | undefined }> {
    const result = await super.updateTwin(twinId, patch, options);
    const value = patch.find((op) => op.path === '/temperature')?.value;
    if (typeof value === 'number') this.onVisible(twinId, value);
    return result;
  }
}

/** An enqueued envelope as the Event Hub trigger adapter hands it to processBatch. */
function rawEvent(event: EnqueuedEvent, index: number): RawEvent {
  const { envelope } = event;
  return {
    index,
    body: envelopeBodyBytes(envelope),
    systemProperties: {
      'iothub-connection-device-id': envelope.deviceId,
      'message-id': envelope.messageId,
      'content-type': 'application/json',
      'content-encoding': 'utf-8',
      'iothub-enqueuedtime': envelope.enqueuedTime,
    },
    enqueuedTimeUtc: envelope.enqueuedTime.replace('Z', ''),
    sequenceNumber: event.sequenceNumber,
    offset: String(event.offset),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface FleetRowOptions {
  label: string;
  latency?: EmulatorLatency;
  batching?: EventHubBatching;
  seed?: number;
}

export async function runFleetRow(implementation: FleetImplementation, shape: FleetShape, options: FleetRowOptions): Promise<FleetRowMetrics> {
  const latency = options.latency ?? adtLikeLatency;
  const batching = options.batching ?? eventHubBatching();
  const limits = { patchesPerSecond: 1000 * shape.adtScale, readsPerSecond: 1000 * shape.adtScale, createsDeletesPerSecond: 500 * shape.adtScale, modelRequestsPerSecond: Math.max(10, 100 * shape.adtScale) };
  const emulator = await startEmulatorProcess({ faults: { ...latency, seed: options.seed ?? 1 }, limits }, fleetImport(shape.devices));
  const freshness = new FreshnessTracker();
  const visible = (twinId: string, n: number): void => freshness.visible(twinId, n, performance.now());

  const httpClient = new TrustingHttpClient(emulator.ca);
  const deadLetters = new CountingSink();
  // As createWorker builds it, with the gateway told this ADT's limits (an operator's settings).
  const config = compilePipelineConfig({ ingest: { options: { sourceTime: 'ts' } } }, 'bench');
  const gateway = new AdtGateway({
    port: new ObservedPort(createAdtClient({ url: emulator.url, credential: stubCredential, httpClient }), visible),
    limits: { patchesPerSecond: limits.patchesPerSecond, readsPerSecond: limits.readsPerSecond, telemetryPerSecond: limits.patchesPerSecond },
  });
  const options_ = config.ingest.options;
  const ours: IngestRuntime = {
    gateway,
    deadLetters,
    planner: createIngestPlanner(config.ingest, gateway),
    decodeOptions: { deviceIdProperties: options_.deviceIdProperties, moduleIdProperties: options_.moduleIdProperties, limits: { maxDecodedBytes: options_.maxDecodedBytes, maxDepth: options_.maxBodyDepth } },
    deadlineMs: 240_000,
    write: { maxParallelTwins: options_.maxParallelTwins, emitSourceTime: options_.emitSourceTime, maxClockSkewSeconds: options_.maxClockSkewSeconds },
  };
  const samples = createEmulatorClient(emulator);

  let completed = 0;
  let invocations = 0;
  let delivered = 0;
  let failedInvocations = 0;
  let windowOpen = true;
  const invoke = async (partitionId: string, events: EnqueuedEvent[]): Promise<void> => {
    invocations++;
    delivered += events.length;
    try {
      if (implementation === 'ours') {
        await processBatch(
          events.map((e, i) => rawEvent(e, i)),
          { ...ours, partitionId },
        );
        if (windowOpen) completed += events.length;
      } else {
        // The samples' function: parse each body, one replace patch per message, in order.
        const readings = events.map((e) => ({ deviceId: e.envelope.deviceId, body: e.envelope.body as { temperature: number; humidity: number } }));
        await naiveIngestBatch(
          samples.client,
          readings.map((r) => ({ deviceId: r.deviceId, messageId: '', temperature: r.body.temperature, humidity: r.body.humidity, ts: 0 })),
          {
            onApplied: (reading) => {
              visible(reading.deviceId, reading.temperature);
              if (windowOpen) completed++;
            },
            stop: () => !windowOpen,
          },
        );
      }
    } catch (error) {
      failedInvocations++;
      throw error;
    }
  };

  const partitionOf = Array.from({ length: shape.devices }, (_, d) => String(d % shape.partitions));
  const feeder = new EventHubFeeder({
    partitionCount: shape.partitions,
    maxBatchSize: batchCeiling(batching),
    minBatchSize: batching.minEventBatchSize,
    maxWaitMs: batching.maxWaitTimeMs,
    retry: noRetry,
    invoke,
  });

  const schedule = fleetSchedule(shape);
  const started = performance.now();
  const windowMs = shape.seconds * 1000;
  let next = 0;
  let backlogAtHalf: number | undefined;
  // The devices: every few ms, hand over what is due (the feeder invokes a partition as soon as it is free).
  while (next < schedule.length) {
    const elapsed = performance.now() - started;
    const due: ReturnType<typeof fleetEnvelope>[] = [];
    const nowMs = Date.now();
    while (next < schedule.length && (schedule[next] as { atMs: number }).atMs <= elapsed) {
      const message = schedule[next++] as (typeof schedule)[number];
      freshness.handedOver(deviceId(message.device), message.n, performance.now());
      due.push(fleetEnvelope(message, partitionOf[message.device] as string, nowMs));
    }
    if (due.length > 0) feeder.enqueue(due);
    if (backlogAtHalf === undefined && elapsed >= windowMs / 2) backlogAtHalf = next - completed;
    await sleep(5);
  }
  const remaining = windowMs - (performance.now() - started);
  if (remaining > 0) await sleep(remaining);
  const windowEnd = performance.now();
  windowOpen = false;
  const counters = await emulator.counters();
  const backlogAtEnd = schedule.length - completed;
  feeder.stop();
  await feeder.drained();
  const wallMs = performance.now() - started;

  let total = 0;
  let throttled = 0;
  for (const op of Object.values(counters.operations)) {
    total += op?.requests ?? 0;
    throttled += op?.throttled ?? 0;
  }
  const reads = counters.operations['twin.read']?.requests ?? 0;
  const modelReads = counters.operations['model.read']?.requests ?? 0;
  const patches = counters.operations['twin.patch']?.requests ?? 0;
  const unseen = freshness.unseen(windowEnd);
  const all = [...freshness.samples, ...unseen].map((sample) => sample.age).sort((a, b) => a - b);
  const p99 = percentile(all, 99);
  const warmUpMs = Math.min(5000, windowMs / 4);
  const steady = [...freshness.samples, ...unseen]
    .filter((sample) => sample.handoverMs - started >= warmUpMs)
    .map((sample) => sample.age)
    .sort((a, b) => a - b);
  httpClient.destroy();
  samples.httpClient.destroy();
  await emulator.close();
  const seconds = windowMs / 1000;
  return {
    implementation,
    label: options.label,
    offered: schedule.length,
    offeredPerSecond: schedule.length / seconds,
    applied: completed,
    appliedPerSecond: completed / seconds,
    backlogAtEnd,
    backlogAtHalf: backlogAtHalf ?? backlogAtEnd,
    invocations,
    meanBatch: delivered / Math.max(1, invocations),
    adtRequests: { total, reads, modelReads, patches, other: total - reads - modelReads - patches },
    adtRequestsPerMessage: total / Math.max(1, completed),
    patchesPerMessage: patches / Math.max(1, completed),
    throttled429: throttled,
    throttledShare: throttled / Math.max(1, total),
    freshness: { p50: percentile(all, 50), p99, max: all[all.length - 1] ?? 0, lowerBound: unseen.some((sample) => sample.age >= p99) },
    steadyFreshness: { p50: percentile(steady, 50), p99: percentile(steady, 99), warmUpMs },
    deadLettered: deadLetters.documents.length,
    failedInvocations,
    wallMs,
  };
}
