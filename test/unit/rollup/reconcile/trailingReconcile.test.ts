// The re-point reconcile runs once the query index shows the last re-point (lag after it), one
// run for a burst, never postponed beyond the cap, and once more when it had to start early.
import { TrailingReconcile } from '../../../../shared/rollup';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function recorder() {
  const runs: string[][] = [];
  const timer = new TrailingReconcile(
    1000,
    async (rules) => void runs.push([...rules].sort()),
    () => Date.now(),
  );
  return { runs, timer };
}

it('runs the union of the rules once, the lag after the last touch', async () => {
  const { runs, timer } = recorder();
  timer.touch(['a']);
  await jest.advanceTimersByTimeAsync(600);
  timer.touch(['b']);
  await jest.advanceTimersByTimeAsync(600);
  expect(runs).toEqual([]); // 1,000 ms after the first touch, but only 600 after the last
  await jest.advanceTimersByTimeAsync(500);
  expect(runs).toEqual([['a', 'b']]);
  expect(timer.pending).toBe(0);
});

it('a steady stream of re-points still runs by the cap (3 × lag), then again after the last one', async () => {
  const { runs, timer } = recorder();
  for (let i = 0; i < 8; i++) {
    timer.touch([`r${i % 2}`]);
    await jest.advanceTimersByTimeAsync(500);
  }
  // Touched every 500 ms for 4 s: the cap fired a run at ~3 s, the rest are still due.
  expect(runs.length).toBe(1);
  await jest.advanceTimersByTimeAsync(1500);
  expect(runs.length).toBe(2);
  expect(runs[1]).toEqual(['r0', 'r1']);
  await jest.advanceTimersByTimeAsync(5000);
  expect(runs.length).toBe(2);
});

it('ignores a touch with no rules, and close() drops what is pending', async () => {
  const { runs, timer } = recorder();
  timer.touch([]);
  expect(timer.pending).toBe(0);
  timer.touch(['a']);
  timer.close();
  await jest.advanceTimersByTimeAsync(5000);
  expect(runs).toEqual([]);
  await expect(timer.idle()).resolves.toBeUndefined();
});
