// Runs one workload through our ingest (processBatch: coalesce, one patch per twin per batch,
// source-time guard, gateway budgets) and through the naive baseline, each on a fresh emulator with
// ADT's default limits, in the same process. Reports what ADT saw and what the twins ended with.

import { type EmulatorHandle, startEmulator } from '../local/emulator/server';
import { createEmulatorClient, stubCredential, TrustingHttpClient } from '../local/emulator/trust';
import { createAdtClient, SdkAdtPort } from '../shared/adt';
import { compilePipelineConfig } from '../shared/config';
import type { DeadLetterDocument, DeadLetterSink } from '../shared/deadLetter';
import { processBatch } from '../shared/ingest';
import { createWorker, type IngestRuntime } from '../shared/worker';
import { naiveIngestBatch } from './naiveIngest';
import { batches, expectedFinal, sensorModel, sensorModelId, toRawEvent, type Workload } from './workload';

export type Implementation = 'pipeline' | 'naive';

export interface IngestRunMetrics {
  implementation: Implementation;
  workload: string;
  messages: number;
  batches: number;
  wallMs: number;
  /** Twin PATCH requests ADT received (429s included: each is a request). */
  patchRequests: number;
  /** Successful twin writes. */
  twinWrites: number;
  throttled429: number;
  /** Messages the implementation reported as failed (naive: a write that threw; ours: dead letters). */
  messagesFailed: number;
  /** Twins whose final temperature and humidity equal the newest reading's. */
  twinsCorrect: number;
  twins: number;
}

export class CountingSink implements DeadLetterSink {
  readonly target = 'memory';
  readonly documents: DeadLetterDocument[] = [];
  async write(_name: string, document: DeadLetterDocument): Promise<void> {
    this.documents.push(document);
  }
}

async function seedWorld(emulator: EmulatorHandle, workload: Workload): Promise<void> {
  const { client, httpClient } = createEmulatorClient(emulator);
  await client.createModels([sensorModel]);
  // Initial values, so the baseline's `replace` has something to replace (it fails on unset properties).
  const old = '2000-01-01T00:00:00Z';
  for (const twinId of workload.twinIds) {
    await client.upsertDigitalTwin(
      twinId,
      JSON.stringify({
        $metadata: { $model: sensorModelId, temperature: { sourceTime: old }, humidity: { sourceTime: old } },
        temperature: 0,
        humidity: 0,
      }),
    );
  }
  httpClient.destroy();
  emulator.resetCounters();
}

async function countCorrect(emulator: EmulatorHandle, workload: Workload): Promise<number> {
  const { client, httpClient } = createEmulatorClient(emulator);
  let correct = 0;
  for (const [twinId, newest] of expectedFinal(workload)) {
    const twin = (await client.getDigitalTwin(twinId)).body as { temperature?: number; humidity?: number };
    if (twin.temperature === newest.temperature && twin.humidity === newest.humidity) correct++;
  }
  httpClient.destroy();
  return correct;
}

function adtCounts(emulator: EmulatorHandle): { patchRequests: number; twinWrites: number; throttled429: number } {
  const counters = emulator.counters();
  const patch = counters.operations['twin.patch'];
  let throttled = 0;
  for (const op of Object.values(counters.operations)) throttled += op?.throttled ?? 0;
  const twinWrites = Object.values(counters.twinWrites).reduce((n, w) => n + w.patch, 0);
  return { patchRequests: patch?.requests ?? 0, twinWrites, throttled429: throttled };
}

/** The ingest runtime as the function builds it (model-driven mapping, device `ts` as source time), on the emulator. */
export function benchIngestRuntime(
  emulator: EmulatorHandle,
  deadLetters: DeadLetterSink,
): { runtime: IngestRuntime; httpClient: TrustingHttpClient } {
  const httpClient = new TrustingHttpClient(emulator.ca);
  const runtime = createWorker({
    env: {},
    config: compilePipelineConfig({ ingest: { options: { sourceTime: 'ts' } } }, 'bench'),
    port: new SdkAdtPort(createAdtClient({ url: emulator.url, credential: stubCredential, httpClient })),
    deadLetters,
  }).ingest;
  return { runtime, httpClient };
}

async function runPipeline(emulator: EmulatorHandle, workload: Workload): Promise<number> {
  const deadLetters = new CountingSink();
  const { runtime, httpClient } = benchIngestRuntime(emulator, deadLetters);
  let sequence = 0;
  for (const batch of batches(workload.readings, workload.batchSize)) {
    const events = batch.map((reading, index) => toRawEvent(reading, index, sequence++));
    await processBatch(events, { ...runtime, partitionId: '0' });
  }
  httpClient.destroy();
  return deadLetters.documents.length;
}

async function runNaive(emulator: EmulatorHandle, workload: Workload): Promise<number> {
  const { client, httpClient } = createEmulatorClient(emulator);
  let failed = 0;
  for (const batch of batches(workload.readings, workload.batchSize)) failed += await naiveIngestBatch(client, batch);
  httpClient.destroy();
  return failed;
}

export async function runIngest(implementation: Implementation, workload: Workload): Promise<IngestRunMetrics> {
  const emulator = await startEmulator();
  try {
    await seedWorld(emulator, workload);
    const started = performance.now();
    const messagesFailed = implementation === 'pipeline' ? await runPipeline(emulator, workload) : await runNaive(emulator, workload);
    const wallMs = performance.now() - started;
    return {
      implementation,
      workload: workload.name,
      messages: workload.readings.length,
      batches: Math.ceil(workload.readings.length / workload.batchSize),
      wallMs,
      ...adtCounts(emulator),
      messagesFailed,
      twinsCorrect: await countCorrect(emulator, workload),
      twins: workload.twinIds.length,
    };
  } finally {
    await emulator.close();
  }
}
