// Fault matrix — contention: throttling storms, where ADT answers 429 far more often than a healthy
// instance, with and without Retry-After (the SDK does not retry the latter on its own; the gateway
// must), and 412 races, where a second writer changes the ETag of each parent just before the
// propagate function's conditional write to it lands, and keeps rewriting every parent meanwhile, so
// If-Match writes fail and are recomputed from a fresh read.
import { type CaseResult, expectNothingLost, figures, matrixTelemetry, noFaultRun, runCase } from './matrix';
import { raceEveryParentPatch, raceParents, type SecondWriterCounts } from './secondWriter';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const telemetry = matrixTelemetry();
let baseline: CaseResult;

beforeAll(async () => {
  baseline = await noFaultRun(telemetry);
  console.log(figures('no faults', baseline));
}, 120_000);

it('a 429 storm with Retry-After ends in the no-fault twins, every message accounted for', async () => {
  const run = await runCase(telemetry, {
    adtLimits: { perTwinWritesPerSecond: 2, patchesPerSecond: 40, readsPerSecond: 60, queriesPerSecond: 30, retryAfter: 'header' },
  });
  console.log(figures('429 storm with Retry-After', run));
  // The storm is real (ADT answered 429); the adaptive budgets halve on a 429 and hold every caller
  // for Retry-After, so far fewer follow than the limits alone would cause.
  expect(run.result.summary.stats.adtThrottled).toBeGreaterThan(0);
  expectNothingLost(run, baseline);
}, 180_000);

it('a 429 storm without Retry-After (limits and injected 429s) ends the same: the gateway backs off itself', async () => {
  const run = await runCase(telemetry, {
    adtLimits: { perTwinWritesPerSecond: 2, patchesPerSecond: 40, readsPerSecond: 60, queriesPerSecond: 30, retryAfter: 'none' },
    adtFaults: { errorRate: 0.1, errorStatuses: [429], seed: 18 },
  });
  console.log(figures('429 storm without Retry-After', run));
  expect(run.result.summary.stats.adtThrottled).toBeGreaterThan(10);
  expectNothingLost(run, baseline);
}, 180_000);

it('a second writer on the parents causes 412s; the recomputes end in the no-fault twins', async () => {
  const parents = baseline.result.dump.twins.map((t) => String(t.$dtId)).filter((id) => /^(room|floor|building)-/.test(id));
  const background: SecondWriterCounts = { writes: 0, lostRaces: 0 };
  const justBefore: SecondWriterCounts = { writes: 0, lostRaces: 0 };
  const inFlight = new Set<string>();
  let uninstall = (): void => undefined;
  const run = await runCase(telemetry, {
    beforeFeed: ({ emulator }) => {
      if (!emulator) throw new Error('the race needs the emulator');
      uninstall = raceEveryParentPatch(emulator, parents, 1, justBefore, inFlight);
    },
    // And a writer that keeps rewriting every parent while the feed runs.
    alongside: async ({ emulator }) => {
      if (emulator) await raceParents(emulator, parents, 3000, background, inFlight);
    },
  });
  uninstall();
  console.log(
    `${figures('412 races', run)}, second writer ${background.writes} background writes (${background.lostRaces} lost races) + ${justBefore.writes} just before a propagate write, propagate 412 retries ${run.result.summary.stats.propagationPreconditionRetries}`,
  );
  expect(background.writes).toBeGreaterThan(5);
  expect(justBefore.writes).toBeGreaterThan(10);
  // Each write raced just before makes the propagate write behind it meet 412 and recompute. An
  // invocation that then fails for another reason (a 429 past its budget) is retried by Event Grid
  // and reports no summary, so its 412 retries go uncounted: at least half must show.
  expect(run.result.summary.stats.propagationPreconditionRetries).toBeGreaterThanOrEqual(justBefore.writes / 2);
  expectNothingLost(run, baseline);
}, 180_000);
