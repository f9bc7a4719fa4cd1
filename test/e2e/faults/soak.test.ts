// Soak mode on a short clock: live simulated telemetry through the loop, a report line per interval
// with heap, RSS, lag and queues, and at the end every generated message accounted for.
import { runLocal } from '../support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

it('reports once per interval while it drives the simulator, then balances the generated messages', async () => {
  const lines: string[] = [];
  const { summary } = await runLocal({ soak: { minutes: 0.05, rate: 20, reportEveryMs: 500 }, onSoakReport: (line) => lines.push(line) });
  // 3 s at one line per 500 ms (timers may run late on a busy machine), plus the final line.
  expect(lines.length).toBeGreaterThanOrEqual(4);
  for (const line of lines)
    expect(line).toMatch(
      /^soak [\d.]+\/0\.1 min \| fed \d+ applied \d+ dead-lettered \d+ \| heap [\d.]+ MiB \| RSS [\d.]+ MiB \| lag p99 [\d.]+ ms max [\d.]+ ms \| queued events \d+ \| pending notifications \d+$/,
    );
  const fed = lines.map((l) => Number(/fed (\d+)/.exec(l)?.[1]));
  expect(fed).toEqual([...fed].sort((a, b) => a - b));
  expect(fed.at(-1)).toBe(60);
  expect(summary.telemetryFile).toBeUndefined();
  expect(summary.accounting).toMatchObject({ balanced: true, fed: 60, received: 60, applied: 60 });
  expect(summary.exitCode).toBe(0);
}, 120_000);
