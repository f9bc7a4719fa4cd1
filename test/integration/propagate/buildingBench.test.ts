// The building benchmark's machinery at a small scale, query lag on: outcomes, never time. The
// emulator runs in its own process (JavaScript), so the bench comes from a private build.
import { join } from 'node:path';

import type * as BuildingBench from '../../../bench/buildingBench';
import { privateBuild, removeBuild } from '../../support/privateBuild';

let outDir: string;
let runBuilding: typeof BuildingBench.runBuilding;

beforeAll(() => {
  outDir = privateBuild('building-bench');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ({ runBuilding } = require(join(outDir, 'bench', 'buildingBench.js')) as typeof BuildingBench);
}, 120_000);

afterAll(() => removeBuild(outDir));

const shape = { floors: 2, roomsPerFloor: 2, sensorsPerRoom: 5 };

it('ours: every parent exact after the burst, O(1) calls per notification, no 429s', async () => {
  const timeline: string[] = [];
  const ours = await runBuilding('propagator', shape, {
    updates: 200,
    queryLagMs: 300,
    timeoutMs: 30_000,
    timeline: (line) => timeline.push(line),
  });
  console.info('building bench (small), ours', ours);
  expect(ours.exactAfterMs).toBeDefined();
  expect(ours).toMatchObject({ sensors: 20, parents: 7, throttled429: 0, deliveriesFailed: 0 });
  expect(ours.notifications).toBeGreaterThanOrEqual(200);
  expect(ours.callsPerNotification).toBeLessThanOrEqual(3);
  // The diagnostics that say what bounds a run: per-second lines, event-loop use, backlog.
  expect(timeline.at(-1)).toMatch(/^t=\s*\d+ s {2}handled\s+\d+\/s {2}backlog\s+\d+ {2}reads\s+\d+\/s .* loop \d+ %$/);
  expect(ours.eventLoopUtilization).toBeGreaterThan(0);
  expect(ours.eventLoopUtilization).toBeLessThanOrEqual(1);
  expect(ours.backlogAtLastUpdate).toBeGreaterThanOrEqual(0);
}, 120_000);

it("the samples' algorithm runs the same burst and is measured the same way", async () => {
  const naive = await runBuilding('naive', shape, { updates: 200, queryLagMs: 300, timeoutMs: 5_000 });
  console.info('building bench (small), naive', naive);
  expect(naive.notifications).toBeGreaterThanOrEqual(200);
  // Two queries and a write per notification and level reached: far above ours.
  expect(naive.callsPerNotification).toBeGreaterThan(2);
}, 120_000);
