// Fault matrix — contention: throttling storms, where ADT answers 429 far more often than a healthy
// instance, with and without Retry-After (the SDK does not retry the latter on its own; the gateway
// must), and 412 races, where a second writer keeps changing the ETags of every room and floor (and
// the building) while the loop runs, so the propagate function's If-Match writes fail and are
// recomputed from a fresh read.
import { raceParents, type SecondWriterCounts } from './secondWriter';
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

it('a second writer on the parents causes 412s; the recomputes end in the no-fault twins', async () => {
  const parents = baseline.result.dump.twins.map((t) => String(t.$dtId)).filter((id) => /^(room|floor|building)-/.test(id));
  const counts: SecondWriterCounts = { writes: 0, lostRaces: 0 };
  const run = await runCase(telemetry, {
    alongside: async ({ emulator }) => {
      if (!emulator) throw new Error('the race needs the emulator');
      await raceParents(emulator, parents, 5000, counts);
    },
  });
  console.log(`${figures('412 races', run)}, second writer ${counts.writes} writes / ${counts.lostRaces} lost races, propagate 412 retries ${run.result.summary.stats.propagationPreconditionRetries}`);
  expect(counts.writes).toBeGreaterThan(20);
  expect(run.result.summary.stats.propagationPreconditionRetries).toBeGreaterThan(0);
  expectNothingLost(run, baseline);
}, 180_000);
