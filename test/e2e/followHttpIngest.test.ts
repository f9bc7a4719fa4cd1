// --follow through the HTTP ingest function: envelopes POSTed to the runner's /api/telemetry go to
// the registered ingestHttp function via the local Functions host (an RpcHttp invocation), answer
// with per-message outcomes, and end in the same twins as the Event Hub path for the same input.
// The same run serves /metrics and writes the egress sink.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { sample } from './support/prometheus';
import { buildingScenario, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const badTelemetry = join(buildingScenario, 'bad-telemetry.ndjson');
const ndjson = readFileSync(badTelemetry, 'utf8');
const count = ndjson.split('\n').filter((l) => l.trim() !== '').length;

interface HttpIngestAnswer {
  summary: { received: number; applied: number; deadLettered: number };
  messages: { index: number; messageId?: string; outcome: string; reasons: string[] }[];
}

it("answers per message through the function and ends with the Event Hub path's twins; /metrics and egress report the run", async () => {
  const abort = new AbortController();
  let ingressReady!: (url: string) => void;
  const ready = new Promise<string>((resolve) => (ingressReady = resolve));
  const egress = tempDir('egress');
  // Nothing replayed from a file: the POSTed envelopes are the run's whole input.
  const nothing = join(tempDir('no-telemetry'), 'empty.ndjson');
  writeFileSync(nothing, '');
  const finished = runLocal({ follow: true, ingressPort: 0, signal: abort.signal, onIngress: ingressReady, egress, telemetry: nothing });
  const url = await ready;

  const response = await fetch(`${url}/api/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: ndjson,
  });
  expect(response.status).toBe(200);
  const answer = (await response.json()) as HttpIngestAnswer;
  expect(answer.summary.received).toBe(count);
  expect(answer.messages).toHaveLength(count);
  expect(answer.messages.filter((m) => m.outcome === 'applied')).toHaveLength(count - 3);
  const refused = answer.messages.filter((m) => m.outcome === 'dead-lettered').map((m) => m.reasons[0]);
  expect(refused.sort()).toEqual(['invalid-json', 'transform-failed', 'unknown-twin']);

  // A body that is neither JSON nor ndjson is the function's 400, not the runner's.
  const bad = await fetch(`${url}/api/telemetry`, { method: 'POST', body: '{not json' });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toMatch(/JSON|ndjson/);

  // The function's own limits hold through the local host: more than 1,000 envelopes is its 413.
  const tooMany = Array.from({ length: 1001 }, (_, i) =>
    JSON.stringify({ deviceId: 'thermostat-101', enqueuedTime: '2024-05-01T08:00:00Z', body: { i } }),
  ).join('\n');
  const refusedAll = await fetch(`${url}/api/telemetry`, { method: 'POST', body: tooMany });
  expect(refusedAll.status).toBe(413);

  const metrics = await fetch(`${url}/metrics`);
  expect(metrics.status).toBe(200);
  expect(metrics.headers.get('content-type')).toContain('text/plain');
  const text = await metrics.text();
  expect(sample(text, 'pipeline_ingest_messages_total', { outcome: 'applied' })).toBe(count - 3);
  expect(sample(text, 'pipeline_ingest_lag_count')).toBeGreaterThan(0);

  abort.abort();
  const viaHttp = await finished;
  expect(viaHttp.summary.exitCode).toBe(0);
  expect(viaHttp.summary.stats.applied).toBe(count - 3);
  // The accounting counts HTTP ingest too: the page's two "applied" counters agree, and it balances.
  expect(viaHttp.summary.accounting).toMatchObject({
    fed: count,
    viaHttp: count,
    received: count,
    applied: count - 3,
    deadLettered: 3,
    balanced: true,
  });
  expect(viaHttp.summary.stats.deadLetterDocuments).toBe(3);
  expect(viaHttp.summary.egress?.path).toBe(join(egress, 'egress-eventHub.ndjson'));
  const egressLines = readFileSync(join(egress, 'egress-eventHub.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  expect(viaHttp.summary.egress?.events).toBe(egressLines.length);
  // Seeding creates every twin, ingest and propagation update them: all of it leaves.
  const types = new Set(
    egressLines.map((l) => (JSON.parse(l) as { applicationProperties: Record<string, string> }).applicationProperties['cloudEvents:type']),
  );
  expect([...types].sort()).toEqual(['Microsoft.DigitalTwins.Twin.Create', 'Microsoft.DigitalTwins.Twin.Update']);

  const viaEventHub = await runLocal({ telemetry: badTelemetry });
  expect(viaEventHub.summary.exitCode).toBe(0);
  expect(viaHttp.dump).toEqual(viaEventHub.dump);
}, 240_000);
