// The runner's totals come only from what the functions report: the ingest batch log lines.
import { renderSummary } from '../../../local/runner/report';
import type { RunResult } from '../../../local/runner/runScenario';
import { emptyStats, progressLine, recordIngestLog } from '../../../local/runner/runStats';
import type { BatchSummary } from '../../../shared/ingest';

// Typed as the summary, so a field the summary renames or drops fails here at compile time too.
const batchLine = (summary: Partial<BatchSummary>) => ({
  level: 'information',
  category: 'ingestTelemetry',
  message: JSON.stringify({ event: 'ingest.batch', ...summary }),
});

it('adds up batch summaries, including values refused from applied messages', () => {
  const stats = emptyStats();
  recordIngestLog(
    stats,
    batchLine({
      received: 4,
      applied: 3,
      deadLettered: 1,
      deadLetteredByReason: { 'schema-mismatch': 1 },
      partiallyApplied: 1,
      deadLetterDocuments: 2,
      rejectedValuesByReason: { 'schema-mismatch': 2 },
    }),
  );
  recordIngestLog(
    stats,
    batchLine({
      received: 2,
      applied: 1,
      filtered: 1,
      partiallyApplied: 1,
      deadLetterDocuments: 1,
      rejectedValuesByReason: { 'out-of-range': 1 },
    }),
  );
  expect(stats).toMatchObject({
    messagesIn: 6,
    applied: 4,
    filtered: 1,
    deadLettered: 1,
    deadLetteredByReason: { 'schema-mismatch': 1 },
    partiallyApplied: 2,
    rejectedValuesByReason: { 'schema-mismatch': 2, 'out-of-range': 1 },
  });
  expect(stats.deadLetterDocuments).toBe(3);
  expect(progressLine(stats, 0)).toContain('dead letters 3 (1 refused, 2 partly)');
});

it('ignores log lines that are not batch summaries', () => {
  const stats = emptyStats();
  expect(recordIngestLog(stats, { level: 'information', category: 'x', message: 'not json' })).toBe(false);
  expect(recordIngestLog(stats, { level: 'information', category: 'x', message: '{"event":"other","received":5}' })).toBe(false);
  expect(stats.messagesIn).toBe(0);
});

// What a run without faults reports besides the stats (accounting, resources, fault windows).
const sample = { heapUsedBytes: 1, rssBytes: 1, lagP99Ms: 0, lagMaxMs: 0 };
const quietRunExtras = {
  accounting: {
    fed: 3,
    received: 3,
    applied: 3,
    filtered: 0,
    deadLettered: 0,
    givenUp: [],
    undelivered: [],
    duplicated: [],
    repeatedMessageIds: 0,
    unbalancedBatches: 0,
    balanced: true,
  },
  resources: { start: sample, end: sample, peakHeapUsedBytes: 1, peakRssBytes: 1, maxLagMs: 0, samples: 1 },
  faults: { adt: [], deadLetterStore: [] },
};

it('names partly applied messages and their refused values in the end-of-run summary', () => {
  const stats = emptyStats();
  recordIngestLog(
    stats,
    batchLine({ received: 3, applied: 3, partiallyApplied: 1, deadLetterDocuments: 1, rejectedValuesByReason: { 'out-of-range': 1 } }),
  );
  const result = {
    summary: {
      scenario: 's',
      telemetryFile: 't',
      envelopes: 3,
      adt: 'emulator',
      deadLetters: 'folder /x',
      schema: 'CloudEventSchemaV1_0',
      stats,
      lostBatches: [],
      propagationFailures: [],
      propagation: 'local',
      exitCode: 0,
      ...quietRunExtras,
    },
    dump: { twins: [], relationships: [] },
    tree: '(tree)',
  } as unknown as RunResult;
  const text = renderSummary(result);
  expect(text).toContain('applied 3 (1 partly refused), filtered 0, dead-lettered 0');
  expect(text).toContain('1 applied message(s) had values refused and dead-lettered; refused values: out-of-range 1');
  // The partly refused message wrote a dead letter: the summary says so instead of "0".
  expect(text).toContain('Dead letters folder /x: 1 written (0 refused message(s), 1 partly refused)');
});

it('adds up suppressed and heartbeat writes (issue 25) for the --json summary and names them in the text', () => {
  const stats = emptyStats();
  recordIngestLog(
    stats,
    batchLine({ received: 3, filtered: 2, applied: 1, suppressedWrites: { unchanged: 3, 'within-deadband': 1 }, heartbeatWrites: 1 }),
  );
  recordIngestLog(stats, batchLine({ received: 1, filtered: 1, suppressedWrites: { unchanged: 1 } }));
  expect(stats).toMatchObject({ suppressedWrites: { unchanged: 4, 'within-deadband': 1 }, heartbeatWrites: 1 });
  expect(JSON.parse(JSON.stringify(stats))).toMatchObject({ suppressedWrites: { unchanged: 4, 'within-deadband': 1 }, heartbeatWrites: 1 });
  const result = {
    summary: {
      scenario: 's',
      telemetryFile: 't',
      envelopes: 4,
      adt: 'emulator',
      deadLetters: 'folder /x',
      schema: 'CloudEventSchemaV1_0',
      stats,
      lostBatches: [],
      propagationFailures: [],
      propagation: 'local',
      exitCode: 0,
      ...quietRunExtras,
    },
    dump: { twins: [], relationships: [] },
    tree: '(tree)',
  } as unknown as RunResult;
  expect(renderSummary(result)).toContain(
    'Writes saved unchanged 4, within-deadband 1 (values filtered, not written); 1 heartbeat write(s)',
  );
});

it('counts events by source and filtered messages by reason, in the stats and the summary', () => {
  const stats = emptyStats();
  recordIngestLog(
    stats,
    batchLine({
      received: 3,
      applied: 1,
      filtered: 2,
      filteredByReason: { 'twin-exists': 1, 'source-not-handled': 1 },
      receivedBySource: { telemetry: 1, deviceLifecycleEvents: 2 },
    }),
  );
  recordIngestLog(
    stats,
    batchLine({
      received: 1,
      applied: 0,
      filtered: 1,
      filteredByReason: { 'twin-exists': 1 },
      receivedBySource: { deviceLifecycleEvents: 1 },
    }),
  );
  expect(stats.filteredByReason).toEqual({ 'twin-exists': 2, 'source-not-handled': 1 });
  expect(stats.receivedBySource).toEqual({ telemetry: 1, deviceLifecycleEvents: 3 });
  const result = {
    summary: {
      scenario: 's',
      telemetryFile: 't',
      envelopes: 4,
      adt: 'emulator',
      deadLetters: 'folder /x',
      schema: 'CloudEventSchemaV1_0',
      stats,
      lostBatches: [],
      propagationFailures: [],
      propagation: 'local',
      exitCode: 0,
      ...quietRunExtras,
    },
    dump: { twins: [], relationships: [] },
    tree: '(tree)',
  } as unknown as RunResult;
  const text = renderSummary(result);
  expect(text).toContain('filtered 3 (source-not-handled 1, twin-exists 2)');
  expect(text).toContain('Sources      deviceLifecycleEvents 3, telemetry 1');
});

it("names the sweep timer's runs and the last run's cost, only when it queried", () => {
  const summary = {
    scenario: 's',
    telemetryFile: 't',
    envelopes: 0,
    adt: 'emulator',
    deadLetters: 'folder /x',
    schema: 'CloudEventSchemaV1_0',
    stats: emptyStats(),
    lostBatches: [],
    propagationFailures: [],
    propagation: 'local',
    exitCode: 0,
    ...quietRunExtras,
  };
  const last = {
    queries: 2,
    pages: 3,
    rows: 500,
    queryUnits: 12.5,
    capped: true,
    pending: 0,
    written: 0,
    foundStale: 500,
    markedStale: 500,
    failures: [],
  };
  const render = (sweeps: unknown) =>
    renderSummary({ summary: { ...summary, sweeps }, dump: { twins: [], relationships: [] }, tree: '(tree)' } as unknown as RunResult);
  expect(render({ invocations: 4, last })).toContain(
    'Sweep        4 run(s); the last: 2 quer(ies), 3 page(s), 500 row(s), 12.5 QU (capped), 0 due, 0 written, 500 marked stale, 0 failed',
  );
  expect(render({ invocations: 1, last: { ...last, queries: 0 } })).not.toContain('Sweep ');
});
