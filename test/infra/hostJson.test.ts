// host.json's Event Hubs settings as docs/PERFORMANCE.md explains them: the batch may grow to cover
// enough time to coalesce at the fleet shape, and scaling does not follow the batch ceiling.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const host = JSON.parse(readFileSync(join(__dirname, '..', '..', 'host.json'), 'utf8')) as {
  functionTimeout: string;
  extensions: { eventHubs: Record<string, number | string> };
};
const eventHubs = host.extensions.eventHubs as {
  maxEventBatchSize: number;
  prefetchCount: number;
  minEventBatchSize: number;
  batchCheckpointFrequency: number;
  targetUnprocessedEventThreshold: number;
};

describe('host.json Event Hubs batching', () => {
  it('lets a batch hold what the fleet shape needs: offered × twins / (patch limit × partitions) = 5,000', () => {
    const needed = (10_000 * 2_000) / (1_000 * 4);
    expect(eventHubs.maxEventBatchSize).toBeGreaterThanOrEqual(needed);
    // A batch is made of events already read ahead.
    expect(eventHubs.prefetchCount).toBeGreaterThanOrEqual(eventHubs.maxEventBatchSize);
  });

  it('never holds a batch back for more events, and checkpoints every invocation', () => {
    expect(eventHubs.minEventBatchSize).toBe(1);
    expect(eventHubs.batchCheckpointFrequency).toBe(1);
  });

  it('scales on its own threshold, not on the batch ceiling', () => {
    expect(eventHubs.targetUnprocessedEventThreshold).toBeGreaterThan(0);
    expect(eventHubs.targetUnprocessedEventThreshold).toBeLessThanOrEqual(eventHubs.maxEventBatchSize / 4);
  });
});
