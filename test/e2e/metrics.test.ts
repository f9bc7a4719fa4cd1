// Metrics end to end: the sample building with three broken messages through the runner with the
// local Prometheus exporter; the counts the pipeline reports must be the run's own (applied,
// dead-lettered by reason), with one lag sample per decoded message and propagation counted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { sample } from './support/prometheus';
import { buildingScenario, runLocal } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const badTelemetry = join(buildingScenario, 'bad-telemetry.ndjson');
const lines = readFileSync(badTelemetry, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '');
const goodCount = lines.length - 3;

it('exports applied, dead-lettered by reason, lag and propagation counts that match the run', async () => {
  const { summary, metrics } = await runLocal({ telemetry: badTelemetry, metrics: true });
  expect(summary.exitCode).toBe(0);
  if (metrics === undefined) throw new Error('runScenario({ metrics: true }) returned no metrics text');

  expect(sample(metrics, 'pipeline_ingest_messages_total', { outcome: 'applied' })).toBe(goodCount);
  expect(sample(metrics, 'pipeline_ingest_messages_total', { outcome: 'dead-lettered' })).toBe(3);
  for (const reason of ['invalid-json', 'unknown-twin', 'transform-failed']) {
    expect(sample(metrics, 'pipeline_ingest_messages_total', { outcome: 'dead-lettered', reason })).toBe(1);
  }
  expect(sample(metrics, 'pipeline_ingest_batches_total')).toBe(summary.stats.ingestInvocations - summary.stats.ingestFailures);
  expect(sample(metrics, 'pipeline_ingest_twins_patched_total')).toBeGreaterThan(0);
  // A lag sample per message that decoded (the invalid-json one has no enqueued message to measure).
  const lagCount = sample(metrics, 'pipeline_ingest_lag_count');
  expect(lagCount).toBeGreaterThanOrEqual(goodCount);
  expect(lagCount).toBeLessThanOrEqual(lines.length);
  // The envelopes were enqueued in 2024: every sample lands in the +Inf bucket only, and the sum says so.
  expect(sample(metrics, 'pipeline_ingest_lag_sum')).toBeGreaterThan(lagCount * 3600);
  expect(sample(metrics, 'pipeline_propagate_writes_total')).toBe(summary.stats.propagationWrites);
  expect(sample(metrics, 'pipeline_propagate_events_total', { outcome: 'processed' })).toBeGreaterThan(0);
}, 180_000);
