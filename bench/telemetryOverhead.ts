// What recording costs per ingest batch: recordIngestBatch for a 256-message batch with no SDK
// registered (the API's no-op instruments: Azure without a connection string, tests) and with the
// local SDK + Prometheus reader, as a ratio against building the batch's own summary-sized work
// (one pass over the messages parsing each enqueued time) measured in the same run.
// `npm run build && node dist/bench/telemetryOverhead.js`
import { performance } from 'node:perf_hooks';

import { metrics } from '@opentelemetry/api';

import { startLocalMetrics } from '../local/runner/localMetrics';
import { recordIngestBatch } from '../shared/telemetry';

const messages = Array.from({ length: 256 }, (_, i) => ({
  enqueuedTime: new Date(Date.now() - i * 10).toISOString(),
  traceparent: i % 4 === 0 ? `00-${(i + 1).toString(16).padStart(32, '0')}-${(i + 1).toString(16).padStart(16, '0')}-01` : undefined,
}));
const summary = {
  received: 256,
  applied: 250,
  filtered: 3,
  deadLettered: 3,
  deadLetteredByReason: { 'invalid-json': 2, 'unknown-twin': 1 },
  twinsPatched: 40,
  messagesCoalesced: 210,
  staleValuesSkipped: 0,
  telemetrySent: 40,
  retries: 0,
};

function perBatchMicros(work: () => void, rounds = 2000): number {
  for (let i = 0; i < 200; i++) work();
  const started = performance.now();
  for (let i = 0; i < rounds; i++) work();
  return ((performance.now() - started) * 1000) / rounds;
}

let sink = 0;
const baseline = perBatchMicros(() => {
  for (const m of messages) sink += Date.parse(m.enqueuedTime);
});
metrics.disable();
const noop = perBatchMicros(() => recordIngestBatch(summary, messages, { started: Date.now() - 5, ended: Date.now() }));
const local = startLocalMetrics();
const sdk = perBatchMicros(() => recordIngestBatch(summary, messages, { started: Date.now() - 5, ended: Date.now() }));
void local.close();
console.log(
  JSON.stringify({
    batchSize: messages.length,
    baselineMicros: +baseline.toFixed(1),
    noopMicros: +noop.toFixed(1),
    sdkMicros: +sdk.toFixed(1),
    noopRatio: +(noop / baseline).toFixed(2),
    sdkRatio: +(sdk / baseline).toFixed(2),
    sink: sink > 0,
  }),
);
