// The sweep under `--instances 3`, from a private build (instances are worker threads running compiled
// code), with one clock the test advances for the emulator and every instance: the sweepConditions
// timer runs on the instance holding its lease, one at a time, as the Functions host's singleton
// lock; when the lease is lost under its holder the old and the new holder sweep at once, and the
// sustained breach is still raised exactly once per room (downstream sees one transition each, at
// the time the duration elapsed). Ten minutes later the silent thermostats are marked stale and leave
// their rooms' averages within that one sweep.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { RunOptions, RunResult } from '../../../local/runner/runScenario';
import type { ConditionSweepSummary } from '../../../shared/rollup';
import { tempDir } from '../../e2e/support/runLocal';
import { privateBuild, removeBuild } from '../../support/privateBuild';
import { conditionScenario } from './conditionScenario';

let build: string;
beforeAll(() => {
  build = privateBuild('conditions-instances');
}, 120_000);
afterAll(() => removeBuild(build));

it('3 instances: the timer runs on the lease holder; after a lost lease two sweeps at once raise each room once; silent sensors leave the average', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runScenario } = require(join(build, 'local', 'runner', 'runScenario.js')) as {
    runScenario(options: RunOptions): Promise<RunResult>;
  };
  let now = Date.now();
  const T0 = now;
  const egress = tempDir('conditions-egress');
  const seen: { start?: ConditionSweepSummary; due?: ConditionSweepSummary[]; silent?: ConditionSweepSummary } = {};
  const result = await runScenario({
    scenario: conditionScenario(),
    instances: 3,
    clock: { now: () => now },
    egress,
    deadLetterDirectory: tempDir('conditions-dead-letters'),
    maxRetryDelayMs: 20,
    eventGridDelivery: { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 100 },
    afterQuiet: async ({ sweep, sweepAfterLostLease }) => {
      seen.start = await sweep(); // durations running, none due
      now += 6 * 60_000;
      seen.due = await sweepAfterLostLease();
      now += 10 * 60_000;
      seen.silent = await sweep();
    },
  });
  expect(result.summary.exitCode).toBe(0);
  expect(seen.start).toMatchObject({ pending: 0, written: 0, failures: [] });

  // Two sweeps at once found the same due rooms; the writes' If-Match let each room's transition through once.
  const [old, taker] = seen.due as [ConditionSweepSummary, ConditionSweepSummary];
  expect(old.pending).toBeGreaterThan(0);
  expect(taker.pending).toBe(old.pending);
  expect(old.written + taker.written).toBe(old.pending);
  expect([...old.failures, ...taker.failures]).toEqual([]);
  const raises = readFileSync(join(egress, 'egress-eventHub.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map(
      (line) =>
        JSON.parse(line) as { applicationProperties: Record<string, string>; body: { patch?: Array<{ path: string; value?: unknown }> } },
    )
    .filter((event) => event.body.patch?.some((op) => op.path === '/overheated' && op.value === true));
  const rooms = raises.map((event) => event.applicationProperties['cloudEvents:subject']);
  expect(rooms.length).toBe(old.pending);
  expect(new Set(rooms).size).toBe(rooms.length); // each room once
  // At the time the duration elapsed (5 minutes after the readings), not when the sweep came.
  for (const event of raises)
    expect(event.body.patch).toContainEqual({ op: 'add', path: '/overheatedSince', value: new Date(T0 + 5 * 60_000).toISOString() });

  // The timer ran on one instance at a time: the first holder, then both during the lost lease, then the taker.
  const perInstance = result.summary.instances?.perInstance.map((i) => i.sweepInvocations);
  expect(perInstance).toEqual([2, 3, 0]); // start + lost lease on 0; lost lease + silent + end-of-run on 1
  expect(result.summary.instances?.timerLeaseChanges).toBe(1);
  expect(result.summary.sweeps?.invocations).toBe(5);

  // Silent for 16 minutes: marked stale, and out of the room's average in the same sweep.
  expect(seen.silent?.markedStale).toBeGreaterThan(0);
  expect(seen.silent?.failures).toEqual([]);
  const twin = (id: string): Record<string, unknown> => result.dump.twins.find((t) => t.$dtId === id) ?? {};
  expect(twin('thermostat-101')).toMatchObject({ stale: true });
  const room = twin('room-101');
  expect(room.temperature).toBeUndefined();
  expect(room).toMatchObject({ overheated: false, overheatedSince: new Date(T0 + 16 * 60_000).toISOString() });
}, 300_000);
