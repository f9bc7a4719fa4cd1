// The Event Hubs side of the local host: partitions, batch sizes, redelivery per the retry policy.
import type { TelemetryEnvelope } from '../../../local/runner/envelope';
import { EventHubFeeder } from '../../../local/runner/eventHubFeeder';
import type { EnqueuedEvent } from '../../../local/runner/eventHubTriggerRequest';
import { retryPolicyOf } from '../../../local/runner/retryPolicy';

const envelope = (deviceId: string, second: number): TelemetryEnvelope => ({
  deviceId,
  enqueuedTime: new Date(Date.UTC(2024, 0, 1, 0, 0, second)).toISOString(),
  messageId: `${deviceId}-${second}`,
  body: { n: second },
});

interface Call {
  partitionId: string;
  messageIds: string[];
  sequenceNumbers: number[];
  retryCount: number;
  maxRetryCount: number;
}

function recorder(fail: (call: Call) => boolean = () => false) {
  const calls: Call[] = [];
  const invoke = async (partitionId: string, events: EnqueuedEvent[], retryCount: number, maxRetryCount: number): Promise<void> => {
    const call = {
      partitionId,
      messageIds: events.map((e) => e.envelope.messageId ?? ''),
      sequenceNumbers: events.map((e) => e.sequenceNumber),
      retryCount,
      maxRetryCount,
    };
    calls.push(call);
    if (fail(call)) throw new Error(`ADT unavailable (attempt ${retryCount + 1})`);
  };
  return { calls, invoke };
}

const noSleep = async (): Promise<void> => undefined;

it('keeps each device on one partition, in enqueued order, in batches of at most maxBatchSize', async () => {
  const { calls, invoke } = recorder();
  const feeder = new EventHubFeeder({ partitionCount: 4, maxBatchSize: 3, retry: retryPolicyOf(undefined), invoke, sleep: noSleep });
  // Out of order on purpose: replay orders by enqueuedTime as IoT Hub would have.
  feeder.enqueue([
    envelope('a', 5),
    envelope('b', 1),
    envelope('a', 1),
    envelope('a', 3),
    envelope('b', 2),
    envelope('a', 4),
    envelope('a', 2),
  ]);
  await feeder.drained();
  expect(calls.every((c) => c.messageIds.length <= 3)).toBe(true);
  const byDevice = (d: string) =>
    calls.flatMap((c) => c.messageIds.filter((id) => id.startsWith(`${d}-`)).map((id) => ({ id, partition: c.partitionId })));
  expect(byDevice('a').map((x) => x.id)).toEqual(['a-1', 'a-2', 'a-3', 'a-4', 'a-5']);
  expect(new Set(byDevice('a').map((x) => x.partition)).size).toBe(1);
  expect(byDevice('b').map((x) => x.id)).toEqual(['b-1', 'b-2']);
  for (const c of calls) expect(c.sequenceNumbers).toEqual([...c.sequenceNumbers].sort((x, y) => x - y));
  expect(feeder.lost).toEqual([]);
});

it('redelivers the same batch after a thrown invocation, with the retry count the host would pass', async () => {
  let failures = 2;
  const { calls, invoke } = recorder(() => failures-- > 0);
  const retry = retryPolicyOf({ strategy: 'fixedDelay', maxRetryCount: 3, delayInterval: { seconds: 1 } });
  const waits: number[] = [];
  const feeder = new EventHubFeeder({ partitionCount: 1, maxBatchSize: 10, retry, invoke, sleep: async (ms) => void waits.push(ms) });
  feeder.enqueue([envelope('a', 1), envelope('a', 2)]);
  await feeder.drained();
  expect(calls.map((c) => [c.retryCount, c.maxRetryCount, c.messageIds])).toEqual([
    [0, 3, ['a-1', 'a-2']],
    [1, 3, ['a-1', 'a-2']],
    [2, 3, ['a-1', 'a-2']],
  ]);
  expect(waits).toEqual([1000, 1000]);
  expect(feeder.lost).toEqual([]);
});

it('gives a batch up after the last retry and moves on, reporting it as lost', async () => {
  const { calls, invoke } = recorder((c) => c.messageIds.includes('a-1'));
  const retry = retryPolicyOf({
    strategy: 'exponentialBackoff',
    maxRetryCount: 2,
    minimumInterval: { seconds: 5 },
    maximumInterval: { seconds: 8 },
  });
  const waits: number[] = [];
  const feeder = new EventHubFeeder({ partitionCount: 1, maxBatchSize: 1, retry, invoke, sleep: async (ms) => void waits.push(ms) });
  feeder.enqueue([envelope('a', 1), envelope('a', 2)]);
  await feeder.drained();
  expect(waits).toEqual([5000, 8000]);
  expect(calls.map((c) => c.messageIds[0])).toEqual(['a-1', 'a-1', 'a-1', 'a-2']);
  expect(feeder.lost).toEqual([{ partitionId: '0', firstSequenceNumber: 1, events: 1, attempts: 3, error: 'ADT unavailable (attempt 3)' }]);
});

it('rejects a retry strategy it does not know instead of guessing', () => {
  expect(() => retryPolicyOf({ strategy: 'linear', maxRetryCount: 1 })).toThrow('Unknown retry strategy "linear"');
});
