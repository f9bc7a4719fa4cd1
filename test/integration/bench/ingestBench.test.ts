// The benchmark's machinery at a tiny scale: outcomes only (call counts and final values), never time.
import { runIngest } from '../../../bench/ingestBench';
import { expectedFinal, makeWorkload, patchBudget } from '../../../bench/workload';

const workload = makeWorkload('tiny', 4, 6, { batchSize: 10, lateShare: 0.3, seed: 4 });

it('generates a reproducible workload with late readings', () => {
  expect(makeWorkload('tiny', 4, 6, { batchSize: 10, lateShare: 0.3, seed: 4 })).toEqual(workload);
  const late = workload.readings.filter((r, i) =>
    workload.readings.slice(0, i).some((earlier) => earlier.deviceId === r.deviceId && earlier.ts > r.ts),
  );
  expect(late.length).toBeGreaterThan(0);
  expect(expectedFinal(workload).size).toBe(4);
});

it('our ingest sends at most one PATCH per twin per batch and ends on the newest readings', async () => {
  const ours = await runIngest('pipeline', workload);
  expect(ours).toMatchObject({ messages: 24, batches: 3, throttled429: 0, messagesFailed: 0, twinsCorrect: 4, twins: 4 });
  expect(ours.patchRequests).toBeLessThanOrEqual(patchBudget(workload));
  expect(ours.twinWrites).toBe(ours.patchRequests);
}, 60_000);

it('the naive baseline sends one PATCH per message and lets late readings win', async () => {
  const naive = await runIngest('naive', workload);
  expect(naive.twinWrites).toBe(24);
  const lastDelivered = new Map(workload.readings.map((r) => [r.deviceId, r]));
  const lateWins = [...expectedFinal(workload)].filter(([id, newest]) => lastDelivered.get(id) !== newest).length;
  expect(lateWins).toBeGreaterThan(0);
  expect(naive.twinsCorrect).toBe(4 - lateWins);
}, 60_000);
