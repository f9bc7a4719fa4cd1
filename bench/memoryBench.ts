// Heap the ingest needs for one large batch, against the heap the batch itself occupies (what the
// host already holds when it invokes us), measured in the same process. Run node with --expose-gc
// for stable figures; without it the numbers are noisier but still reported.

import { startEmulator } from '../local/emulator/server';
import { createEmulatorClient } from '../local/emulator/trust';
import type { RawEvent } from '../shared/ingest';
import { processBatch } from '../shared/ingest';
import { benchIngestRuntime, CountingSink } from './ingestBench';
import { sensorModel, sensorModelId, toRawEvent, type Workload } from './workload';

export interface MemoryMetrics {
  messages: number;
  twins: number;
  /** Heap taken by the batch's events as handed to the function. */
  batchHeapMb: number;
  /** Highest heap above the starting point while the batch was processed. */
  peakProcessingHeapMb: number;
  /** peakProcessingHeapMb / batchHeapMb. */
  ratio: number;
  gcExposed: boolean;
}

const collect = (): void => (globalThis as { gc?: () => void }).gc?.();
const heapMb = (): number => process.memoryUsage().heapUsed / 1024 / 1024;

export async function runMemory(workload: Workload): Promise<MemoryMetrics> {
  // Limits off: this measures memory, and seeding thousands of twins should not wait on create budgets.
  const emulator = await startEmulator({ limits: { enabled: false } });
  const admin = createEmulatorClient(emulator);
  await admin.client.createModels([sensorModel]);
  for (const twinId of workload.twinIds)
    await admin.client.upsertDigitalTwin(twinId, JSON.stringify({ $metadata: { $model: sensorModelId } }));
  admin.httpClient.destroy();

  const { runtime, httpClient } = benchIngestRuntime(emulator, new CountingSink());
  try {
    // Warm the gateway's model and twin caches with a small batch, so the measurement is the batch's own cost.
    await processBatch(
      workload.readings.slice(0, workload.twinIds.length).map((r, i) => toRawEvent(r, i, i)),
      { ...runtime, partitionId: '0' },
    );

    collect();
    const beforeBatch = heapMb();
    const events: RawEvent[] = workload.readings.map((r, i) => toRawEvent(r, i, 1_000_000 + i));
    collect();
    const batchHeapMb = heapMb() - beforeBatch;

    const start = heapMb();
    let peak = start;
    const sampler = setInterval(() => (peak = Math.max(peak, heapMb())), 2);
    await processBatch(events, { ...runtime, partitionId: '0' });
    clearInterval(sampler);
    peak = Math.max(peak, heapMb());
    const peakProcessingHeapMb = peak - start;
    return {
      messages: events.length,
      twins: workload.twinIds.length,
      batchHeapMb,
      peakProcessingHeapMb,
      ratio: peakProcessingHeapMb / batchHeapMb,
      gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
    };
  } finally {
    httpClient.destroy();
    await emulator.close();
  }
}
