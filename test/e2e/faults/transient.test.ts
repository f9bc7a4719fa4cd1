// Fault matrix — transient failures: a burst of 5xx, connections reset without a response, and a
// spell of responses slower than the ingest deadline (the invocation fails and the batch is
// redelivered, as the Functions host would).
import { type CaseResult, expectNothingLost, figures, matrixTelemetry, noFaultRun, runCase } from './matrix';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const telemetry = matrixTelemetry();
let baseline: CaseResult;

beforeAll(async () => {
  baseline = await noFaultRun(telemetry);
}, 120_000);

it('a 5xx burst (60% of requests for 3 s, 5% before and after) ends in the no-fault twins', async () => {
  const run = await runCase(telemetry, {
    adtFaults: { errorRate: 0.05, errorStatuses: [500, 502, 503, 504], seed: 5 },
    adtFaultWindows: [{ label: '5xx burst', startMs: 200, durationMs: 3000, faults: { errorRate: 0.6 } }],
  });
  console.log(figures('5xx burst', run));
  expect(run.result.summary.faults.adt.map((e) => e.state)).toEqual(['start', 'end']);
  expectNothingLost(run, baseline);
}, 180_000);

it('connection resets on 10% of requests end in the no-fault twins', async () => {
  const run = await runCase(telemetry, { adtFaults: { resetRate: 0.1, seed: 7 } });
  console.log(figures('connection resets', run));
  expectNothingLost(run, baseline);
}, 180_000);

it('responses slower than the ingest deadline fail the invocation; redelivery ends in the no-fault twins', async () => {
  const run = await runCase(telemetry, {
    // A deadline a healthy batch meets with room to spare on a busy machine; every response in the
    // first 3 s comes later than it.
    ingestDeadlineSeconds: 5,
    adtFaultWindows: [{ label: 'slow responses', startMs: 0, durationMs: 3000, faults: { slowRate: 1, slowMs: 6000 } }],
  });
  console.log(figures('responses slower than the deadline', run));
  // The point of the case: the deadline was hit and the batch came again.
  expect(run.result.summary.stats.ingestFailures).toBeGreaterThan(0);
  expectNothingLost(run, baseline);
}, 180_000);
