// Conditions and staleness through the local runner's programmatic entry (the real function app on
// the local host, the embedded emulator) with one clock the test advances: after the telemetry,
// the registered sweepConditions timer raises the rooms' sustained condition exactly at its
// duration, and later marks the silent thermostats stale, which takes them out of their rooms'
// averages (so the condition clears) within that one sweep.
import type { ConditionSweepSummary } from '../../../shared/rollup';
import { runLocal } from '../../e2e/support/runLocal';
import { conditionScenario as scenario } from './conditionScenario';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

it('the runner fires the sweep timer: a duration finished with no message, then silent sensors leave the average', async () => {
  let now = Date.now();
  const T0 = now;
  const seen: Record<string, ConditionSweepSummary> = {};
  const result = await runLocal({
    scenario: scenario(),
    clock: { now: () => now },
    afterQuiet: async ({ sweep }) => {
      seen.start = await sweep();
      now += 6 * 60_000;
      seen.due = await sweep();
      now += 10 * 60_000;
      seen.silent = await sweep();
    },
  });
  expect(result.summary.exitCode).toBe(0);
  const twin = (id: string): Record<string, unknown> => result.dump.twins.find((t) => t.$dtId === id) ?? {};
  expect(seen.start).toMatchObject({ pending: 0, written: 0, failures: [] }); // durations running, none due
  expect(seen.due?.pending).toBeGreaterThan(0);
  expect(seen.due?.written).toBe(seen.due?.pending);
  expect(seen.silent?.markedStale).toBeGreaterThan(0);
  expect(seen.silent?.failures).toEqual([]);
  expect(result.summary.sweeps).toMatchObject({ invocations: 4 }); // three asked for, one at the end
  expect(twin('thermostat-101')).toMatchObject({ stale: true });
  // room-101's only thermostat is stale: no temperature left, so `warm` cleared — in the same sweep.
  const room = twin('room-101');
  expect(room.temperature).toBeUndefined();
  expect(room).toMatchObject({ overheated: false, overheatedSince: new Date(T0 + 16 * 60_000).toISOString() });
}, 180_000);
