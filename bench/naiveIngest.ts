// The baseline: what the public samples do. For each message, in order, one JSON Patch with
// `replace` per property through a default DigitalTwinsClient (its own retry policies, which wait
// out 429s with Retry-After), no coalescing, no source-time guard. A failed message is logged and
// skipped, and the Event Hub trigger checkpoints past it: it is lost.

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import type { Reading } from './workload';

export interface NaiveHooks {
  /** Called once ADT acknowledged a message's patch (the fleet bench measures freshness here). */
  onApplied?: (reading: Reading) => void;
  /** Checked before each message: true = the host is shutting down, stop here. */
  stop?: () => boolean;
}

/** Returns how many messages of the batch failed (and would be lost). */
export async function naiveIngestBatch(client: DigitalTwinsClient, batch: readonly Reading[], hooks: NaiveHooks = {}): Promise<number> {
  let failed = 0;
  for (const reading of batch) {
    if (hooks.stop?.()) break;
    try {
      await client.updateDigitalTwin(reading.deviceId, [
        { op: 'replace', path: '/temperature', value: reading.temperature },
        { op: 'replace', path: '/humidity', value: reading.humidity },
      ]);
      hooks.onApplied?.(reading);
    } catch {
      failed++;
    }
  }
  return failed;
}
