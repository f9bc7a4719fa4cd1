// The baseline: what the public samples do. For each message, in order, one JSON Patch with
// `replace` per property through a default DigitalTwinsClient (its own retry policies, which wait
// out 429s with Retry-After), no coalescing, no source-time guard. A failed message is logged and
// skipped, and the Event Hub trigger checkpoints past it: it is lost.

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import type { Reading } from './workload';

export interface NaiveHooks<M> {
  /** Called once ADT acknowledged a message's patch (the traffic benches measure freshness here). */
  onApplied?: (message: M) => void;
  /** Checked before each message: true = the host is shutting down, stop here. */
  stop?: () => boolean;
}

/** A parsed message as the samples see it: its device and the properties it replaces. */
export interface NaiveMessage {
  deviceId: string;
  values: Readonly<Record<string, unknown>>;
}

/** Returns how many messages of the batch failed (and would be lost). */
export async function naiveIngestMessages<M extends NaiveMessage>(
  client: DigitalTwinsClient,
  batch: readonly M[],
  hooks: NaiveHooks<M> = {},
): Promise<number> {
  let failed = 0;
  for (const message of batch) {
    if (hooks.stop?.()) break;
    try {
      await client.updateDigitalTwin(
        message.deviceId,
        Object.entries(message.values).map(([name, value]) => ({ op: 'replace', path: `/${name}`, value })),
      );
      hooks.onApplied?.(message);
    } catch {
      failed++;
    }
  }
  return failed;
}

/** The same for the workload's readings (temperature and humidity). */
export async function naiveIngestBatch(
  client: DigitalTwinsClient,
  batch: readonly Reading[],
  hooks: NaiveHooks<Reading> = {},
): Promise<number> {
  const messages = batch.map((reading) => ({
    deviceId: reading.deviceId,
    values: { temperature: reading.temperature, humidity: reading.humidity },
    reading,
  }));
  return naiveIngestMessages(client, messages, {
    ...(hooks.stop && { stop: hooks.stop }),
    onApplied: (message) => hooks.onApplied?.(message.reading),
  });
}
