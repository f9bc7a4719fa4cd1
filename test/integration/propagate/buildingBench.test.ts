// The building benchmark's machinery at a small scale, query lag on: outcomes, never time.
import { runBuilding } from '../../../bench/buildingBench';

const shape = { floors: 2, roomsPerFloor: 2, sensorsPerRoom: 5 };

it('ours: every parent exact after the burst, O(1) calls per notification, no 429s', async () => {
  const ours = await runBuilding('propagator', shape, { updates: 200, queryLagMs: 300, timeoutMs: 30_000 });
  console.info('building bench (small), ours', ours);
  expect(ours.exactAfterMs).toBeDefined();
  expect(ours).toMatchObject({ sensors: 20, parents: 7, throttled429: 0, deliveriesFailed: 0 });
  expect(ours.notifications).toBeGreaterThanOrEqual(200);
  expect(ours.callsPerNotification).toBeLessThanOrEqual(3);
}, 120_000);

it('the samples\' algorithm runs the same burst and is measured the same way', async () => {
  const naive = await runBuilding('naive', shape, { updates: 200, queryLagMs: 300, timeoutMs: 5_000 });
  console.info('building bench (small), naive', naive);
  expect(naive.notifications).toBeGreaterThanOrEqual(200);
  // Two queries and a write per notification and level reached: far above ours.
  expect(naive.callsPerNotification).toBeGreaterThan(2);
}, 120_000);
