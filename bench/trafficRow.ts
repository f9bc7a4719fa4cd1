// One implementation under offered traffic, in real time — the machinery the fleet and portfolio
// benchmarks share. A seeded schedule of device messages is handed over as it falls due to the local
// host's Event Hub feeder (partitions, batches per host.json, one invocation at a time per
// partition), which invokes our ingest (processBatch, wired as createWorker wires it) or the samples'
// algorithm; the ADT emulator runs in its own process with ADT's limits (scaled) and latency, and
// counts every request by kind. Hooks see each hand-over and each acknowledged write, so a bench
// measures freshness its own way; the backlog and this process's memory are sampled meanwhile.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { createEmulatorClient, stubCredential, TrustingHttpClient } from '../local/emulator/trust';
import type { TwinDoc } from '../local/emulator/types';
import { EventHubFeeder } from '../local/runner/eventHubFeeder';
import type { EnqueuedEvent } from '../local/runner/eventHubTriggerRequest';
import { batchCeiling, type EventHubBatching, eventHubBatching } from '../local/runner/hostConfig';
import { noRetry } from '../local/runner/retryPolicy';
import { AdtGateway, createAdtClient, type JsonPatchOperation, type PortCallOptions, SdkAdtPort } from '../shared/adt';
import { compilePipelineConfig } from '../shared/config';
import {
  createIngestPlanner,
  deferralDefaults,
  DeferredDrainer,
  drainDeferredValues,
  envelopeBodyBytes,
  FolderDeferredValuesStore,
  processBatch,
  type RawEvent,
  significanceResolver,
  type TelemetryEnvelope,
} from '../shared/ingest';
import type { IngestRuntime } from '../shared/worker';
import { type EmulatorProcess, startEmulatorProcess } from './emulatorProcess';
import { CountingSink } from './ingestBench';
import { naiveIngestMessages } from './naiveIngest';

export type Implementation = 'ours' | 'samples';

export interface EmulatorLatency {
  /** Fixed part of every request's latency (ms). */
  latencyMs: number;
  /** Uniform extra latency in [0, jitterMs). */
  jitterMs: number;
}

/** ADT-like latency of 15 ± 5 ms. */
export const adtLikeLatency: EmulatorLatency = { latencyMs: 10, jitterMs: 10 };

/** ADT's instance-wide limits times `scale` (the per-twin 10 writes/s is never scaled). */
export function adtLimitsAt(scale: number) {
  return {
    patchesPerSecond: 1000 * scale,
    readsPerSecond: 1000 * scale,
    queriesPerSecond: 500 * scale,
    createsDeletesPerSecond: 500 * scale,
    modelRequestsPerSecond: Math.max(10, 100 * scale),
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Least-squares slope of y over x (0 with fewer than two points). */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.x;
    sy += p.y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** ADT requests counted at the emulator, by kind. */
export interface RequestsByKind {
  total: number;
  /** Twin GETs. */
  reads: number;
  modelReads: number;
  patches: number;
  queries: number;
  other: number;
  throttled: number;
  /** PATCHes ADT answered 2xx. */
  patchesApplied: number;
}

export function requestsByKind(counters: Awaited<ReturnType<EmulatorProcess['counters']>>): RequestsByKind {
  let total = 0;
  let throttled = 0;
  for (const op of Object.values(counters.operations)) {
    total += op?.requests ?? 0;
    throttled += op?.throttled ?? 0;
  }
  const ops = counters.operations;
  const reads = ops['twin.read']?.requests ?? 0;
  const modelReads = ops['model.read']?.requests ?? 0;
  const patches = ops['twin.patch']?.requests ?? 0;
  const queries = ops.query?.requests ?? 0;
  return {
    total,
    reads,
    modelReads,
    patches,
    queries,
    other: total - reads - modelReads - patches - queries,
    throttled,
    patchesApplied: ops['twin.patch']?.successes ?? 0,
  };
}

/** A port that reports each acknowledged PATCH. */
class ObservedPort extends SdkAdtPort {
  constructor(
    client: ConstructorParameters<typeof SdkAdtPort>[0],
    private readonly onPatched: (twinId: string, patch: JsonPatchOperation[]) => void,
  ) {
    super(client);
  }

  override async updateTwin(
    twinId: string,
    patch: JsonPatchOperation[],
    options: PortCallOptions & { ifMatch?: string },
  ): Promise<{ etag: string | undefined }> {
    const result = await super.updateTwin(twinId, patch, options);
    this.onPatched(twinId, patch);
    return result;
  }
}

/** An enqueued envelope as the Event Hub trigger adapter hands it to processBatch. */
export function rawEvent(event: EnqueuedEvent, index: number): RawEvent {
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

export interface OfferedMessage {
  /** Offset from the start of the run, ms. */
  atMs: number;
  device: number;
}

export interface TrafficRowSpec<M extends OfferedMessage> {
  implementation: Implementation;
  /** In hand-over order (atMs ascending). */
  schedule: readonly M[];
  devices: number;
  partitions: number;
  /** ADT's instance-wide limits times this (see adtLimitsAt). */
  adtScale: number;
  /** How long traffic is offered. */
  seconds: number;
  /** The ADT import file that creates the twins before the run. */
  importNdjson: string;
  /** The message as IoT Hub hands it to the trigger, at hand-over. */
  envelope(message: M, partition: string, nowMs: number): TelemetryEnvelope;
  /** Our pipeline configuration (default: the body's `ts` is the source time). */
  config?: unknown;
  latency?: EmulatorLatency;
  batching?: EventHubBatching;
  seed?: number;
  /** Backlog and memory sampling period (default 1 s). */
  sampleEveryMs?: number;
  /**
   * After the window, keep delivering until every handed-over message completed or this many ms
   * passed (0, the default: stop at the window's end, as the fleet bench does).
   */
  drainMs?: number;
  /** Read every twin from the emulator at the end (after any drain). */
  snapshot?: boolean;
  /**
   * Ours: a deferred-values store (a folder, as the local runner's) with the default write window, and
   * the drain timer every 30 s as in Azure (default true). The drain after the window also waits
   * until the store is empty.
   */
  defer?: boolean;
  handedOver?(message: M, envelope: TelemetryEnvelope, at: number): void;
  /** Ours: ADT acknowledged this PATCH. */
  patched?(twinId: string, patch: JsonPatchOperation[], at: number): void;
  /** The samples: ADT acknowledged the patch of this message. */
  applied?(envelope: TelemetryEnvelope, at: number): void;
  /** Ours: the invocation carrying this message completed (applied, filtered or dead-lettered). */
  processed?(envelope: TelemetryEnvelope): void;
  /** The window just closed (before any drain): freeze what is measured at its end. */
  windowClosed?(at: number): void;
}

export interface TrafficRowResult {
  offered: number;
  /** Messages whose invocation completed within the window. */
  applied: number;
  /** Offered but not completed when the window closed (waiting or in an invocation still running). */
  backlogAtEnd: number;
  backlogAtHalf: number;
  /** Sampled: ms since the start, messages handed over but not completed. */
  backlog: Array<{ atMs: number; backlog: number }>;
  invocations: number;
  meanBatch: number;
  /** Counted at the emulator over the window. */
  requests: RequestsByKind;
  /** Counted at the emulator at the end (after any drain). */
  requestsAtEnd: RequestsByKind;
  deadLettered: number;
  failedInvocations: number;
  /** Batches the feeder gave up (the host would checkpoint past them). */
  lostBatches: number;
  windowMs: number;
  /** performance.now() when traffic started and when the window closed. */
  startedAt: number;
  windowEndAt: number;
  /** Wall-clock (Date.now()) when the window closed. */
  windowEndWallMs: number;
  /** Every handed-over message completed after the drain (undefined: no drain asked). */
  drained?: boolean;
  drainedAfterMs?: number;
  /** This process's peak resident set and heap in use (sampled), MB. */
  peakRssMb: number;
  peakHeapMb: number;
  twins?: TwinDoc[];
  wallMs: number;
}

export async function runTrafficRow<M extends OfferedMessage>(spec: TrafficRowSpec<M>): Promise<TrafficRowResult> {
  const latency = spec.latency ?? adtLikeLatency;
  const batching = spec.batching ?? eventHubBatching();
  const limits = adtLimitsAt(spec.adtScale);
  const emulator = await startEmulatorProcess({ faults: { ...latency, seed: spec.seed ?? 1 }, limits }, spec.importNdjson);

  const httpClient = new TrustingHttpClient(emulator.ca);
  const deadLetters = new CountingSink();
  // As createWorker builds it, with the gateway told this ADT's limits (an operator's settings).
  const config = compilePipelineConfig(spec.config ?? { ingest: { options: { sourceTime: 'ts' } } }, 'bench');
  const onPatched = (twinId: string, patch: JsonPatchOperation[]): void => spec.patched?.(twinId, patch, performance.now());
  const gateway = new AdtGateway({
    port: new ObservedPort(createAdtClient({ url: emulator.url, credential: stubCredential, httpClient }), onPatched),
    limits: {
      patchesPerSecond: limits.patchesPerSecond,
      readsPerSecond: limits.readsPerSecond,
      queriesPerSecond: limits.queriesPerSecond,
      telemetryPerSecond: limits.patchesPerSecond,
    },
  });
  const options = config.ingest.options;
  const ours: IngestRuntime = {
    gateway,
    deadLetters,
    planner: createIngestPlanner(config.ingest, gateway),
    decodeOptions: {
      deviceIdProperties: options.deviceIdProperties,
      moduleIdProperties: options.moduleIdProperties,
      limits: { maxDecodedBytes: options.maxDecodedBytes, maxDepth: options.maxBodyDepth },
    },
    deadlineMs: 240_000,
    write: {
      maxParallelTwins: options.maxParallelTwins,
      emitSourceTime: options.emitSourceTime,
      maxClockSkewSeconds: options.maxClockSkewSeconds,
      significance: significanceResolver(config.ingest),
    },
  };
  const deferDirectory =
    spec.implementation === 'ours' && spec.defer !== false ? mkdtempSync(join(tmpdir(), 'bench-deferred-')) : undefined;
  if (deferDirectory) {
    const store = new FolderDeferredValuesStore(deferDirectory);
    const drainer = new DeferredDrainer({
      store,
      gateway,
      deadLetters,
      write: {
        emitSourceTime: options.emitSourceTime,
        maxClockSkewMs: options.maxClockSkewSeconds * 1000,
        significance: significanceResolver(config.ingest),
      },
      maxParallelTwins: options.maxParallelTwins,
    });
    ours.deferral = { store, drainer, buckets: deferralDefaults.buckets, windowSeconds: deferralDefaults.windowSeconds };
  }
  // The drain timer (functions/drainDeferredValues): every 30 s, one run at a time, 25 s at most.
  let timerRun: Promise<unknown> = Promise.resolve();
  const drainTimer = ours.deferral
    ? setInterval(
        () => (timerRun = timerRun.then(() => drainDeferredValues(ours.deferral!, gateway, { runSeconds: 25 })).catch(() => undefined)),
        30_000,
      )
    : undefined;
  const storeEmpty = async (): Promise<boolean> => !ours.deferral || (await ours.deferral.store.list()).length === 0;
  const samples = createEmulatorClient(emulator);

  let completed = 0;
  let completedAll = 0;
  let invocations = 0;
  let delivered = 0;
  let failedInvocations = 0;
  let windowOpen = true;
  let draining = false;
  const invoke = async (partitionId: string, events: EnqueuedEvent[]): Promise<void> => {
    invocations++;
    delivered += events.length;
    try {
      if (spec.implementation === 'ours') {
        await processBatch(
          events.map((e, i) => rawEvent(e, i)),
          { ...ours, partitionId },
        );
        if (windowOpen) completed += events.length;
        completedAll += events.length;
        if (spec.processed) for (const e of events) spec.processed(e.envelope);
      } else {
        // The samples' function: parse each body, one replace patch per message (every property but
        // the device time), in order.
        const messages = events.map(({ envelope }) => {
          const { ts: _ts, ...values } = envelope.body as Record<string, unknown>;
          return { deviceId: envelope.deviceId, values, envelope };
        });
        await naiveIngestMessages(samples.client, messages, {
          onApplied: (message) => {
            spec.applied?.(message.envelope, performance.now());
            if (windowOpen) completed++;
            completedAll++;
          },
          stop: () => !windowOpen && !draining,
        });
      }
    } catch (error) {
      failedInvocations++;
      throw error;
    }
  };

  const feeder = new EventHubFeeder({
    partitionCount: spec.partitions,
    maxBatchSize: batchCeiling(batching),
    minBatchSize: batching.minEventBatchSize,
    maxWaitMs: batching.maxWaitTimeMs,
    retry: noRetry,
    invoke,
  });

  const schedule = spec.schedule;
  const started = performance.now();
  const windowMs = spec.seconds * 1000;
  let next = 0;
  const backlog: TrafficRowResult['backlog'] = [];
  let peakRss = 0;
  let peakHeap = 0;
  const sample = (): void => {
    backlog.push({ atMs: Math.round(performance.now() - started), backlog: next - completed });
    const memory = process.memoryUsage();
    peakRss = Math.max(peakRss, memory.rss);
    peakHeap = Math.max(peakHeap, memory.heapUsed);
  };
  const sampler = setInterval(sample, spec.sampleEveryMs ?? 1000);
  let backlogAtHalf: number | undefined;
  // The devices: every few ms, hand over what is due (the feeder invokes a partition as soon as it is free).
  while (next < schedule.length) {
    const elapsed = performance.now() - started;
    const due: TelemetryEnvelope[] = [];
    const nowMs = Date.now();
    while (next < schedule.length && (schedule[next] as M).atMs <= elapsed) {
      const message = schedule[next++] as M;
      const envelope = spec.envelope(message, String(message.device % spec.partitions), nowMs);
      spec.handedOver?.(message, envelope, performance.now());
      due.push(envelope);
    }
    if (due.length > 0) feeder.enqueue(due);
    if (backlogAtHalf === undefined && elapsed >= windowMs / 2) backlogAtHalf = next - completed;
    await sleep(5);
  }
  const remaining = windowMs - (performance.now() - started);
  if (remaining > 0) await sleep(remaining);
  sample();
  clearInterval(sampler);
  const windowEndAt = performance.now();
  const windowEndWallMs = Date.now();
  draining = (spec.drainMs ?? 0) > 0;
  windowOpen = false;
  spec.windowClosed?.(windowEndAt);
  const requests = requestsByKind(await emulator.counters());
  const backlogAtEnd = schedule.length - completed;

  let drained: boolean | undefined;
  let drainedAfterMs: number | undefined;
  if (draining) {
    const drainStart = performance.now();
    while (completedAll < next && performance.now() - drainStart < (spec.drainMs as number)) await sleep(50);
    // Deferred values are durable but not yet in ADT: the quiet period drains them (as the timer would, back to back).
    while (ours.deferral && !(await storeEmpty()) && performance.now() - drainStart < (spec.drainMs as number)) {
      await timerRun;
      await drainDeferredValues(ours.deferral, gateway, { runSeconds: 5 });
    }
    drained = completedAll >= next && (await storeEmpty());
    drainedAfterMs = performance.now() - drainStart;
    draining = false;
  }
  feeder.stop();
  await feeder.drained();
  if (drainTimer) clearInterval(drainTimer);
  await timerRun;
  if (deferDirectory) rmSync(deferDirectory, { recursive: true, force: true });
  const requestsAtEnd = requestsByKind(await emulator.counters());
  const twins = spec.snapshot ? await emulator.twins() : undefined;
  const wallMs = performance.now() - started;
  httpClient.destroy();
  samples.httpClient.destroy();
  await emulator.close();
  return {
    offered: schedule.length,
    applied: completed,
    backlogAtEnd,
    backlogAtHalf: backlogAtHalf ?? backlogAtEnd,
    backlog,
    invocations,
    meanBatch: delivered / Math.max(1, invocations),
    requests,
    requestsAtEnd,
    deadLettered: deadLetters.documents.length,
    failedInvocations,
    lostBatches: feeder.lost.length,
    windowMs,
    startedAt: started,
    windowEndAt,
    windowEndWallMs,
    ...(drained !== undefined && { drained, drainedAfterMs }),
    peakRssMb: peakRss / 2 ** 20,
    peakHeapMb: peakHeap / 2 ** 20,
    ...(twins && { twins }),
    wallMs,
  };
}
