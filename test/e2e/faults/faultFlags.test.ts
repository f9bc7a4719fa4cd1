// The runner's fault flags, the fault timeline, the dead-letter store outage and the per-message
// accounting, each on its own (no loop started).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { FaultOptions } from '../../../local/emulator/faults';
import type { ServiceLimitsOptions } from '../../../local/emulator/limits';
import { parseCliArgs } from '../../../local/runner/cliArgs';
import { FolderDeadLetterOutage } from '../../../local/runner/deadLetterOutage';
import type { EnqueuedEvent } from '../../../local/runner/eventHubTriggerRequest';
import { faultKeys, limitKeys, parseKnownKeyValues, parseLatencyFlag, parseWindowFlag } from '../../../local/runner/faultFlags';
import { FaultTimeline, outageFaults } from '../../../local/runner/faultTimeline';
import { MessageLedger } from '../../../local/runner/messageAccounting';
import { renderSummary } from '../../../local/runner/report';
import type { RunResult } from '../../../local/runner/runScenario';
import { emptyStats } from '../../../local/runner/runStats';
import { tempDir } from '../support/runLocal';

describe('fault flags of npm run local', () => {
  it('maps each flag to the emulator settings of the run', () => {
    const cli = parseCliArgs([
      '--adt-latency',
      '20:10',
      '--adt-faults',
      'errorRate=0.05,errorStatuses=500|503,retryAfterOn503=2,resetRate=0.01,slowRate=0.1,slowMs=2000,seed=42',
      '--adt-limits',
      'perTwinWritesPerSecond=2,retryAfter=none,enabled=true',
      '--adt-outage',
      '10+30',
      '--adt-outage',
      '90+5.5',
      '--dead-letter-outage',
      '0+3',
      '--ingest-deadline',
      '2',
      '--soak',
      '10',
      '--soak-rate',
      '25',
    ]);
    expect(cli.run).toEqual({
      adtFaults: {
        latencyMs: 20,
        jitterMs: 10,
        errorRate: 0.05,
        errorStatuses: [500, 503],
        retryAfterOn503: 2,
        resetRate: 0.01,
        slowRate: 0.1,
        slowMs: 2000,
        seed: 42,
      },
      adtLimits: { perTwinWritesPerSecond: 2, retryAfter: 'none', enabled: true },
      adtOutages: [
        { startMs: 10_000, durationMs: 30_000 },
        { startMs: 90_000, durationMs: 5500 },
      ],
      deadLetterOutages: [{ startMs: 0, durationMs: 3000 }],
      ingestDeadlineSeconds: 2,
      soak: { minutes: 10, rate: 25 },
    });
  });

  it('refuses unknown keys and wrong values, naming the flag, the key and what is expected', () => {
    expect(() => parseCliArgs(['--adt-faults', 'errorRat=0.1'])).toThrow(
      "--adt-faults: unknown key 'errorRat'. Known keys: latencyMs, jitterMs, errorRate,",
    );
    expect(() => parseCliArgs(['--adt-limits', 'perTwinWrites=1'])).toThrow("--adt-limits: unknown key 'perTwinWrites'.");
    expect(() => parseCliArgs(['--adt-faults', 'errorRate=1.5'])).toThrow(
      "--adt-faults errorRate must be a share between 0 and 1 (got '1.5').",
    );
    expect(() => parseCliArgs(['--adt-faults', 'errorStatuses=500|abc'])).toThrow('HTTP statuses separated by |');
    expect(() => parseCliArgs(['--adt-limits', 'retryAfter=sometimes'])).toThrow(
      "--adt-limits retryAfter must be one of header, none (got 'sometimes').",
    );
    expect(() => parseCliArgs(['--adt-limits', 'enabled=yes'])).toThrow('must be true or false');
    expect(() => parseCliArgs(['--adt-faults', 'errorRate'])).toThrow('expects key=value pairs');
    expect(() => parseCliArgs(['--adt-latency', 'fast'])).toThrow('--adt-latency expects <ms> or <ms>:<jitter>');
    expect(() => parseCliArgs(['--adt-outage', '10'])).toThrow('--adt-outage expects <startSec>+<durationSec>');
    expect(() => parseCliArgs(['--dead-letter-outage', '5+0'])).toThrow('with a duration above 0');
    expect(() => parseCliArgs(['--soak-rate', '5'])).toThrow('--soak-rate needs --soak <minutes>.');
    expect(() => parseCliArgs(['--adt-outage', '1+2', '--adt-url', 'https://x.api.weu.digitaltwins.azure.net'])).toThrow(
      'cannot be combined with --adt-url',
    );
  });

  it('knows only keys the emulator has (the tables are typed against its option interfaces)', () => {
    expect(parseKnownKeyValues<FaultOptions>('slowMs=5', '--adt-faults', faultKeys)).toEqual({ slowMs: 5 });
    expect(parseKnownKeyValues<ServiceLimitsOptions>('readsPerSecond=5', '--adt-limits', limitKeys)).toEqual({ readsPerSecond: 5 });
    expect(Object.keys(faultKeys)).not.toContain('failTwins');
    expect(Object.keys(limitKeys)).not.toContain('now');
    expect(parseLatencyFlag('15')).toEqual({ latencyMs: 15, jitterMs: 0 });
    expect(parseWindowFlag('0.5+1.25', '--adt-outage')).toEqual({ startMs: 500, durationMs: 1250 });
  });
});

describe('FaultTimeline', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  function target() {
    const faults: Array<Partial<FaultOptions>> = [];
    const limits: Array<Partial<ServiceLimitsOptions>> = [];
    return {
      faults,
      limits,
      handle: {
        faults: { update: (o: Partial<FaultOptions>) => faults.push(o) },
        limits: { update: (o: Partial<ServiceLimitsOptions>) => limits.push(o) },
      },
    };
  }

  it('applies steady faults at start, lays each window over them while it lasts, and ends healthy', () => {
    const t = target();
    const timeline = new FaultTimeline(t.handle, {
      faults: { latencyMs: 5, errorRate: 0.1, seed: 3 },
      limits: { perTwinWritesPerSecond: 1 },
      windows: [{ label: 'ADT outage', startMs: 1000, durationMs: 2000, faults: outageFaults }],
    });
    timeline.start();
    expect(t.faults).toEqual([{ latencyMs: 5, errorRate: 0.1, seed: 3 }]);
    expect(t.limits).toEqual([{ perTwinWritesPerSecond: 1 }]);
    jest.advanceTimersByTime(1000);
    expect(timeline.windowOpen).toBe(true);
    expect(t.faults[1]).toMatchObject({ latencyMs: 5, errorRate: 1, resetRate: 0.5, errorStatuses: [503], retryAfterOn503: undefined });
    expect(t.faults[1]).not.toHaveProperty('seed');
    jest.advanceTimersByTime(2000);
    // Back to the steady faults, not to nothing.
    expect(t.faults[2]).toMatchObject({ latencyMs: 5, errorRate: 0.1, resetRate: 0, errorStatuses: [500, 503] });
    timeline.stop();
    expect(t.faults[3]).toMatchObject({ latencyMs: 0, errorRate: 0, resetRate: 0 });
    expect(t.limits[1]).toMatchObject({ perTwinWritesPerSecond: 10, patchesPerSecond: 1000, retryAfter: 'header' });
    expect(timeline.events).toEqual([
      { atMs: 1000, label: 'ADT outage', state: 'start' },
      { atMs: 3000, label: 'ADT outage', state: 'end' },
    ]);
  });

  it('stop() disarms windows that have not fired yet', () => {
    const t = target();
    const timeline = new FaultTimeline(t.handle, {
      windows: [{ label: 'late', startMs: 5000, durationMs: 1000, faults: { slowRate: 1 } }],
    });
    timeline.start();
    timeline.stop();
    jest.advanceTimersByTime(10_000);
    expect(timeline.events).toEqual([]);
    expect(t.faults).toEqual([{ slowRate: 0 }]);
  });
});

describe('FolderDeadLetterOutage', () => {
  it('writes reach the real folder except during the window, when they fail as a refusing store would', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      const real = tempDir('real-dead-letters');
      const outage = new FolderDeadLetterOutage(real, [{ startMs: 100, durationMs: 100 }]);
      // The same two calls FileDeadLetterSink makes.
      const write = async (name: string): Promise<void> => {
        await mkdir(join(outage.appDirectory, '0'), { recursive: true });
        await writeFile(join(outage.appDirectory, '0', name), '{}\n');
      };
      outage.start();
      await write('1.json');
      jest.advanceTimersByTime(100);
      expect(outage.isDown).toBe(true);
      await expect(write('2.json')).rejects.toThrow(/ENOTDIR|EEXIST/);
      jest.advanceTimersByTime(100);
      expect(outage.isDown).toBe(false);
      await write('3.json');
      expect([existsSync(join(real, '0', '1.json')), existsSync(join(real, '0', '2.json')), existsSync(join(real, '0', '3.json'))]).toEqual(
        [true, false, true],
      );
      expect(outage.events.map((e) => e.state)).toEqual(['start', 'end']);
      await outage.close();
      expect(existsSync(outage.appDirectory)).toBe(false);
      expect(readFileSync(join(real, '0', '3.json'), 'utf8')).toBe('{}\n');
    } finally {
      jest.useRealTimers();
    }
  });

  it('leaves an existing folder and its files alone', async () => {
    const real = tempDir('real-dead-letters');
    mkdirSync(join(real, '1'));
    writeFileSync(join(real, '1', '7.json'), 'kept');
    await new FolderDeadLetterOutage(real, []).close();
    expect(readFileSync(join(real, '1', '7.json'), 'utf8')).toBe('kept');
  });
});

describe('MessageLedger', () => {
  const event = (messageId: string | undefined, sequenceNumber: number): EnqueuedEvent => ({
    envelope: { deviceId: 'd', enqueuedTime: '2024-05-01T08:00:00Z', ...(messageId ? { messageId } : {}), body: {} },
    sequenceNumber,
    offset: 0,
  });

  it('balances when every fed message is in exactly one successful batch whose summary adds up', () => {
    const ledger = new MessageLedger();
    const a = event('a', 1);
    const b = event(undefined, 2);
    ledger.fed([a.envelope, b.envelope]);
    ledger.succeeded('0', [a, b], { received: 2, applied: 1, filtered: 0, deadLettered: 1 });
    expect(ledger.report()).toEqual({
      fed: 2,
      received: 2,
      applied: 1,
      filtered: 0,
      deadLettered: 1,
      givenUp: [],
      undelivered: [],
      duplicated: [],
      repeatedMessageIds: 0,
      unbalancedBatches: 0,
      viaHttp: 0,
      balanced: true,
    });
  });

  it('names what is given up, never delivered, reported twice, or in a summary that does not add up', () => {
    const ledger = new MessageLedger();
    const [a, b, c, d] = [event('a', 1), event('b', 2), event('c', 3), event(undefined, 4)];
    ledger.fed([a.envelope, b.envelope, c.envelope, d.envelope]);
    ledger.succeeded('0', [a], { received: 1, applied: 1, filtered: 0, deadLettered: 0 });
    ledger.succeeded('0', [a], { received: 1, applied: 0, filtered: 0, deadLettered: 0 });
    ledger.gaveUp('0', [b]);
    const report = ledger.report();
    expect(report).toMatchObject({ givenUp: ['b'], duplicated: ['0/1'], unbalancedBatches: 1, balanced: false });
    expect(report.undelivered).toEqual(['c']);
  });

  it('keys events by partition and sequence number: a repeated message id balances and is counted as information', () => {
    const ledger = new MessageLedger();
    // A device re-sent "a" (same id, new events), and two partitions both hold an "x".
    const [a1, a2, x0] = [event('a', 1), event('a', 2), event('x', 1)];
    const x1 = event('x', 1);
    ledger.fed([a1.envelope, a2.envelope, x0.envelope, x1.envelope]);
    ledger.succeeded('0', [a1, a2], { received: 2, applied: 1, filtered: 1, deadLettered: 0 });
    ledger.succeeded('1', [x0], { received: 1, applied: 1, filtered: 0, deadLettered: 0 });
    expect(ledger.report()).toMatchObject({ undelivered: ['x'], duplicated: [], repeatedMessageIds: 2, balanced: false });
    ledger.succeeded('2', [x1], { received: 1, applied: 1, filtered: 0, deadLettered: 0 });
    expect(ledger.report()).toEqual({
      fed: 4,
      received: 4,
      applied: 3,
      filtered: 1,
      deadLettered: 0,
      givenUp: [],
      undelivered: [],
      duplicated: [],
      repeatedMessageIds: 2,
      unbalancedBatches: 0,
      viaHttp: 0,
      balanced: true,
    });
    const sample = { heapUsedBytes: 0, rssBytes: 0, lagP99Ms: 0, lagMaxMs: 0 };
    const summary = {
      scenario: 's',
      telemetryFile: 't',
      envelopes: 4,
      adt: 'emulator',
      deadLetters: 'folder /x',
      schema: 'CloudEvents',
      stats: emptyStats(),
      lostBatches: [],
      propagationFailures: [],
      propagation: 'local',
      exitCode: 0,
      accounting: ledger.report(),
      resources: { start: sample, end: sample, peakHeapUsedBytes: 0, peakRssBytes: 0, maxLagMs: 0, samples: 1 },
      faults: { adt: [], deadLetterStore: [] },
    };
    expect(renderSummary({ summary, dump: { twins: [], relationships: [] }, tree: '' } as unknown as RunResult)).toContain(
      'Accounting   balanced: fed 4, received 4 = applied 3 + filtered 1 + dead-lettered 0, given up 0; 2 message id(s) repeated (re-sends; each event counted once)',
    );
  });
});

describe('end-of-run summary', () => {
  it('says whether the accounting balances, what is missing, and when each fault window began and ended', () => {
    const sample = { heapUsedBytes: 10 * 1024 * 1024, rssBytes: 50 * 1024 * 1024, lagP99Ms: 1, lagMaxMs: 7.5 };
    const summary = {
      scenario: 's',
      telemetryFile: 't',
      envelopes: 3,
      adt: 'emulator',
      deadLetters: 'folder /x',
      schema: 'CloudEvents',
      stats: emptyStats(),
      lostBatches: [],
      propagationFailures: [],
      propagation: 'local',
      exitCode: 1,
      accounting: {
        fed: 3,
        received: 2,
        applied: 2,
        filtered: 0,
        deadLettered: 0,
        givenUp: ['m-3'],
        undelivered: [],
        duplicated: [],
        repeatedMessageIds: 0,
        unbalancedBatches: 0,
        balanced: false,
      },
      resources: {
        start: sample,
        end: sample,
        peakHeapUsedBytes: 12 * 1024 * 1024,
        peakRssBytes: 60 * 1024 * 1024,
        maxLagMs: 7.5,
        samples: 4,
      },
      faults: {
        adt: [
          { atMs: 1000, label: 'ADT outage', state: 'start' },
          { atMs: 31_000, label: 'ADT outage', state: 'end' },
        ],
        deadLetterStore: [],
        deadLetterRequestsRefused: 2,
      },
    };
    const text = renderSummary({ summary, dump: { twins: [], relationships: [] }, tree: '' } as unknown as RunResult);
    expect(text).toContain('Accounting   NOT BALANCED: fed 3, received 2 = applied 2 + filtered 0 + dead-lettered 0, given up 1');
    expect(text).toContain('Resources    heap 10.0 MiB → 10.0 MiB (peak 12.0 MiB), RSS peak 60.0 MiB, event-loop lag max 7.5 ms');
    expect(text).toContain('Faults       ADT outage began at 1.0 s; ADT outage ended at 31.0 s; 2 dead-letter request(s) refused');
  });
});
