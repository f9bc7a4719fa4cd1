// Deterministic device traffic for the benchmarks: readings of `twins` sensors, `perTwin` messages
// each, interleaved as IoT Hub would enqueue them, with a share delivered late (an older reading
// arriving after a newer one) so final values show which pipeline keeps the newest.

import { seededRandom } from '../local/random';
import type { RawEvent } from '../shared/ingest';

export const sensorModelId = 'dtmi:bench:Sensor;1';

export const sensorModel = {
  '@id': sensorModelId,
  '@type': 'Interface',
  '@context': 'dtmi:dtdl:context;2',
  contents: [
    { '@type': 'Property', name: 'temperature', schema: 'double', writable: true },
    { '@type': 'Property', name: 'humidity', schema: 'double', writable: true },
  ],
};

export interface Reading {
  deviceId: string;
  messageId: string;
  temperature: number;
  humidity: number;
  /** Device time (ms since epoch); decides which reading is newest. */
  ts: number;
}

export interface Workload {
  name: string;
  twinIds: string[];
  /** In delivery order. */
  readings: Reading[];
  batchSize: number;
}

const start = Date.parse('2024-05-01T08:00:00Z');

export function makeWorkload(
  name: string,
  twins: number,
  perTwin: number,
  options: { batchSize: number; lateShare: number; seed: number },
): Workload {
  const next = seededRandom(options.seed);
  const twinIds = Array.from({ length: twins }, (_, i) => `sensor-${String(i + 1).padStart(4, '0')}`);
  const readings: Reading[] = [];
  for (let round = 0; round < perTwin; round++) {
    for (const deviceId of twinIds) {
      readings.push({
        deviceId,
        messageId: `${deviceId}-${round}`,
        temperature: Math.round((18 + next() * 8) * 100) / 100,
        humidity: Math.round((35 + next() * 20) * 10) / 10,
        ts: start + round * 1000 + Math.floor(next() * 500),
      });
    }
  }
  // Late delivery: swap a share of readings with the same device's next one.
  for (let i = 0; i < readings.length - twins; i++) {
    if (next() < options.lateShare) {
      const a = readings[i] as Reading;
      readings[i] = readings[i + twins] as Reading;
      readings[i + twins] = a;
    }
  }
  return { name, twinIds, readings, batchSize: options.batchSize };
}

/** Newest reading per twin by device time: what every twin must end with. */
export function expectedFinal(workload: Workload): Map<string, Reading> {
  const newest = new Map<string, Reading>();
  for (const r of workload.readings) {
    const seen = newest.get(r.deviceId);
    if (!seen || r.ts > seen.ts) newest.set(r.deviceId, r);
  }
  return newest;
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** "At most one write per twin per batch": the PATCH requests the pipeline may send for `workload`. */
export function patchBudget(workload: Workload): number {
  return batches(workload.readings, workload.batchSize).reduce((n, batch) => n + new Set(batch.map((r) => r.deviceId)).size, 0);
}

/** A reading as the Event Hub trigger hands it over from IoT Hub (binary body, system properties). */
export function toRawEvent(reading: Reading, index: number, sequenceNumber: number): RawEvent {
  const enqueued = new Date(reading.ts + 250).toISOString();
  return {
    index,
    body: Buffer.from(
      JSON.stringify({ temperature: reading.temperature, humidity: reading.humidity, ts: new Date(reading.ts).toISOString() }),
    ),
    systemProperties: {
      'iothub-connection-device-id': reading.deviceId,
      'message-id': reading.messageId,
      'content-type': 'application/json',
      'content-encoding': 'utf-8',
      'iothub-enqueuedtime': enqueued,
    },
    enqueuedTimeUtc: enqueued.replace('Z', ''),
    sequenceNumber,
    offset: String(sequenceNumber * 512),
  };
}
