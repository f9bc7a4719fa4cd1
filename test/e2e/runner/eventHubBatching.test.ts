// The local host batches as host.json tells the Functions host to: batches grow with the backlog
// (everything that arrived while the previous invocation ran, up to the ceiling), minEventBatchSize
// holds an invocation until enough events wait or maxWaitTime passed, prefetchCount caps a batch.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { TelemetryEnvelope } from '../../../local/runner/envelope';
import { EventHubFeeder } from '../../../local/runner/eventHubFeeder';
import type { EnqueuedEvent } from '../../../local/runner/eventHubTriggerRequest';
import { batchCeiling, defaultEventHubBatching, eventHubBatching, hostJsonPath, parseTimeSpan } from '../../../local/runner/hostConfig';
import { retryPolicyOf } from '../../../local/runner/retryPolicy';

const envelope = (n: number): TelemetryEnvelope => ({
  deviceId: 'd',
  partition: '0',
  enqueuedTime: new Date(Date.UTC(2024, 0, 1) + n).toISOString(),
  messageId: `m-${n}`,
  body: { n },
});
const envelopes = (from: number, count: number) => Array.from({ length: count }, (_, i) => envelope(from + i));
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('host.json batching settings', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'host-json-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const hostJson = (eventHubs: Record<string, unknown>): string => {
    const path = join(dir, 'host.json');
    writeFileSync(path, JSON.stringify({ version: '2.0', extensions: { eventHubs } }));
    return path;
  };

  it('reads all four settings, with the extension defaults for what is missing', () => {
    expect(
      eventHubBatching(hostJson({ maxEventBatchSize: 500, minEventBatchSize: 50, maxWaitTime: '00:00:02.5', prefetchCount: 1000 })),
    ).toEqual({
      maxEventBatchSize: 500,
      minEventBatchSize: 50,
      maxWaitTimeMs: 2500,
      prefetchCount: 1000,
    });
    expect(eventHubBatching(hostJson({}))).toEqual(defaultEventHubBatching);
    expect(eventHubBatching(join(dir, 'missing.json'))).toEqual(defaultEventHubBatching);
  });

  it('refuses values the extension would refuse, saying what to write', () => {
    expect(() => eventHubBatching(hostJson({ maxEventBatchSize: 0 }))).toThrow('maxEventBatchSize must be a positive integer (got 0)');
    expect(() => eventHubBatching(hostJson({ maxEventBatchSize: 10, minEventBatchSize: 10 }))).toThrow(
      'minEventBatchSize (10) must be less than maxEventBatchSize (10)',
    );
    expect(() => eventHubBatching(hostJson({ maxWaitTime: '5s' }))).toThrow(
      'maxWaitTime must be a time span "hh:mm:ss" of at most 00:10:00 (got "5s")',
    );
    expect(() => eventHubBatching(hostJson({ maxWaitTime: '00:10:01' }))).toThrow('at most 00:10:00');
  });

  it('parses .NET time spans', () => {
    expect(parseTimeSpan('00:01:00')).toBe(60_000);
    expect(parseTimeSpan('1.00:00:01')).toBe(86_401_000);
    expect(parseTimeSpan('00:00:00.25')).toBe(250);
    expect(parseTimeSpan('00:61:00')).toBeUndefined();
  });

  it('caps a batch at prefetchCount: a batch is made of events already read ahead', () => {
    expect(batchCeiling({ ...defaultEventHubBatching, maxEventBatchSize: 1000, prefetchCount: 300 })).toBe(300);
    expect(batchCeiling({ ...defaultEventHubBatching, maxEventBatchSize: 100, prefetchCount: 300 })).toBe(100);
  });

  it("the app's host.json lets batches grow to cover the fleet's backlog (see docs/PERFORMANCE.md)", () => {
    const batching = eventHubBatching(hostJsonPath);
    expect(batchCeiling(batching)).toBeGreaterThanOrEqual(5000);
    expect(batching.minEventBatchSize).toBe(1);
  });
});

describe('the feeder', () => {
  afterEach(() => jest.useRealTimers());

  it('hands over everything that arrived while the previous invocation ran: batches grow with the backlog', async () => {
    const sizes: number[] = [];
    let release: (() => void) | undefined;
    const feeder = new EventHubFeeder({
      partitionCount: 1,
      maxBatchSize: 1000,
      retry: retryPolicyOf(undefined),
      invoke: async (_p, events: EnqueuedEvent[]) => {
        sizes.push(events.length);
        if (sizes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    feeder.enqueue(envelopes(0, 3));
    await flush();
    expect(sizes).toEqual([3]);
    feeder.enqueue(envelopes(3, 400));
    feeder.enqueue(envelopes(403, 500));
    await flush();
    expect(sizes).toEqual([3]);
    release?.();
    await feeder.drained();
    expect(sizes).toEqual([3, 900]);
  });

  it('waits for minEventBatchSize before invoking', async () => {
    const sizes: number[] = [];
    const feeder = new EventHubFeeder({
      partitionCount: 1,
      maxBatchSize: 10,
      minBatchSize: 4,
      maxWaitMs: 60_000,
      retry: retryPolicyOf(undefined),
      invoke: async (_p, events) => void sizes.push(events.length),
    });
    feeder.enqueue(envelopes(0, 3));
    await flush();
    expect(sizes).toEqual([]);
    feeder.enqueue(envelopes(3, 2));
    await feeder.drained();
    expect(sizes).toEqual([5]);
  });

  it('invokes with fewer than minEventBatchSize once maxWaitTime has passed', async () => {
    jest.useFakeTimers();
    const sizes: number[] = [];
    const feeder = new EventHubFeeder({
      partitionCount: 1,
      maxBatchSize: 10,
      minBatchSize: 4,
      maxWaitMs: 2000,
      retry: retryPolicyOf(undefined),
      invoke: async (_p, events) => void sizes.push(events.length),
    });
    feeder.enqueue(envelopes(0, 2));
    await jest.advanceTimersByTimeAsync(1999);
    expect(sizes).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(sizes).toEqual([2]);
    await feeder.drained();
  });

  it('stop() releases a partition waiting for minEventBatchSize without invoking', async () => {
    const sizes: number[] = [];
    const feeder = new EventHubFeeder({
      partitionCount: 1,
      maxBatchSize: 10,
      minBatchSize: 4,
      maxWaitMs: 60_000,
      retry: retryPolicyOf(undefined),
      invoke: async (_p, events) => void sizes.push(events.length),
    });
    feeder.enqueue(envelopes(0, 2));
    feeder.stop();
    await feeder.drained();
    expect(sizes).toEqual([]);
    expect(feeder.pending).toBe(2);
  });
});
