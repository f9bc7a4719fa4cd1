// The propagation benchmark's machinery at a tiny scale: outcomes only, never time.
import { runPropagate } from '../../../bench/propagateBench';

it('our propagation ends on the exact average without 429s or failed deliveries', async () => {
  const ours = await runPropagate('propagator', 3, 5);
  expect(ours).toMatchObject({ childUpdates: 15, throttled429: 0, deliveriesFailed: 0, parentExact: true });
  expect(ours.parentWrites).toBeGreaterThanOrEqual(1);
  expect(ours.parentWrites).toBeLessThanOrEqual(15);
}, 60_000);

it('the naive baseline writes the parent once per handled notification', async () => {
  const naive = await runPropagate('naive', 3, 5);
  expect(naive.parentWrites).toBeLessThanOrEqual(15);
  expect(naive.parentWrites).toBeGreaterThanOrEqual(15 - naive.deliveriesFailed);
}, 60_000);
