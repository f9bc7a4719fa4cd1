// Fault matrix — outages: ADT goes away for 30 s in the middle of the replay (every request is a
// connection reset or a 503), and the dead-letter store refuses writes for a few seconds while
// the broken messages are being dead-lettered.
import { BlobServiceClient } from '@azure/storage-blob';

import { azuriteConnectionString, defaultContainer, startAzurite } from '../../../local/runner/deadLetters';
import { type CaseResult, expectNothingLost, figures, matrixTelemetry, noFaultRun, runCase } from './matrix';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const telemetry = matrixTelemetry();
let baseline: CaseResult;

beforeAll(async () => {
  baseline = await noFaultRun(telemetry);
}, 120_000);

it('an ADT outage of 30 s mid-replay: the gateway and the redeliveries outlast it, nothing is lost', async () => {
  const run = await runCase(telemetry, {
    // Early enough that the ingest is still sending on a fast machine, late enough that some of it got through.
    adtOutages: [{ startMs: 300, durationMs: 30_000 }],
    // The runner's default Event Grid retry (5 attempts, 200 ms doubling to 5 s), not the test's shortened one.
    eventGridDelivery: { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 5000 },
  });
  console.log(figures('ADT outage 30 s', run));
  const outage = run.result.summary.faults.adt;
  expect(outage.map((e) => `${e.label} ${e.state}`)).toEqual(['ADT outage start', 'ADT outage end']);
  // Timers never fire early by their own monotonic clock; on a busy machine they may fire late, so only
  // the lower bound is exact. The timeline reads the wall clock, which Node 22 may see 1 ms behind it.
  expect(outage[1]?.atMs ?? 0).toBeGreaterThanOrEqual(30_300 - 1);
  // Mid-replay: the ingest function itself met the outage (its batch summaries count more requests
  // than without faults: the retries), not only the propagation after it.
  const ingestRequests = run.result.summary.stats.ingestAdtRequests;
  console.log(`ingest ADT requests ${ingestRequests} (no faults: ${baseline.result.summary.stats.ingestAdtRequests})`);
  expect(ingestRequests).toBeGreaterThan(baseline.result.summary.stats.ingestAdtRequests);
  expectNothingLost(run, baseline);
}, 180_000);

it('a dead-letter store outage fails the batches that dead-letter; redelivery after it ends loses nothing', async () => {
  const run = await runCase(telemetry, {
    // From the start, for long enough to cover the first dead-letter writes even on a busy machine.
    deadLetterOutages: [{ startMs: 0, durationMs: 6000 }],
    // --fast-retries: redeliveries at most 1 s apart; 8 of them (plus the attempts) outlast the 6 s outage.
    maxRetryDelayMs: 1000,
  });
  console.log(figures('dead-letter store outage 6 s', run));
  expect(run.result.summary.faults.deadLetterStore.map((e) => e.state)).toEqual(['start', 'end']);
  // The point of the case: writing dead letters failed and the batches came again.
  expect(run.result.summary.stats.ingestFailures).toBeGreaterThan(0);
  expectNothingLost(run, baseline);
}, 180_000);

it('a dead-letter store outage on Blob Storage (Azurite behind a proxy answering 503 ServerBusy) loses nothing', async () => {
  const azurite = await startAzurite();
  try {
    const run = await runCase(telemetry, {
      azuriteEndpoint: azurite.blobEndpoint,
      deadLetterOutages: [{ startMs: 0, durationMs: 6000 }],
      maxRetryDelayMs: 1000,
    });
    console.log(figures('dead-letter store outage 6 s (blob)', run));
    const { summary } = run.result;
    expect(summary.deadLetters).toMatch(/^Azurite /);
    expect(summary.faults.deadLetterStore.map((e) => e.state)).toEqual(['start', 'end']);
    // The outage was met: the Storage SDK's own retries (4 tries, 4 s doubling) and, past them, redelivery absorb it.
    expect(summary.faults.deadLetterRequestsRefused).toBeGreaterThan(0);
    console.log(`blob requests refused ${summary.faults.deadLetterRequestsRefused}`);
    // The dead letters are in the container, one per broken message, whatever retried them.
    const container = BlobServiceClient.fromConnectionString(azuriteConnectionString(azurite.blobEndpoint)).getContainerClient(
      defaultContainer,
    );
    const ids: string[] = [];
    for await (const blob of container.listBlobsFlat()) {
      const text = (await container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8');
      ids.push(String((JSON.parse(text) as { messageId?: string }).messageId));
    }
    expectNothingLost({ ...run, deadLetterIds: ids.sort() }, baseline);
  } finally {
    await azurite.stop();
  }
}, 180_000);
