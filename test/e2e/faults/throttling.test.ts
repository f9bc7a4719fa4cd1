// Fault matrix — throttling storms: ADT answers 429 far more often than a healthy instance, with
// and without Retry-After (the SDK does not retry the latter on its own; the gateway must).
import { expectNothingLost, figures, matrixTelemetry, noFaultRun, runCase, type CaseResult } from './matrix';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const telemetry = matrixTelemetry();
let baseline: CaseResult;

beforeAll(async () => {
  baseline = await noFaultRun(telemetry);
  console.log(figures('no faults', baseline));
}, 120_000);

it('a 429 storm with Retry-After ends in the no-fault twins, every message accounted for', async () => {
  const run = await runCase(telemetry, { adtLimits: { perTwinWritesPerSecond: 2, patchesPerSecond: 40, readsPerSecond: 60, queriesPerSecond: 30, retryAfter: 'header' } });
  console.log(figures('429 storm with Retry-After', run));
  expect(run.result.summary.stats.adtThrottled).toBeGreaterThan(50);
  expectNothingLost(run, baseline);
}, 180_000);

it('a 429 storm without Retry-After (limits and injected 429s) ends the same: the gateway backs off itself', async () => {
  const run = await runCase(telemetry, {
    adtLimits: { perTwinWritesPerSecond: 2, patchesPerSecond: 40, readsPerSecond: 60, queriesPerSecond: 30, retryAfter: 'none' },
    adtFaults: { errorRate: 0.1, errorStatuses: [429], seed: 18 },
  });
  console.log(figures('429 storm without Retry-After', run));
  expect(run.result.summary.stats.adtThrottled).toBeGreaterThan(50);
  expectNothingLost(run, baseline);
}, 180_000);
