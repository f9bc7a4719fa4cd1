// The loop under pressure: ADT throttling (429s) is absorbed and counted, and a batch whose
// invocation keeps throwing is redelivered per the function's retry policy, then reported as lost.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseEnvelopes } from '../../local/runner/envelope';
import { expectedFromTelemetry } from './support/expectedValues';
import { buildingScenario, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

it('converges to the same roll-ups when ADT throttles writes, and counts the 429s', async () => {
  const path = join(buildingScenario, 'telemetry.ndjson');
  const expected = expectedFromTelemetry(parseEnvelopes(readFileSync(path, 'utf8'), path));
  const { summary, dump } = await runLocal({
    // One write per twin per second: the propagate function's rapid updates of rooms and floors get 429s.
    beforeFeed: ({ emulator }) => emulator?.limits.update({ perTwinWritesPerSecond: 1 }),
  });
  expect(summary.exitCode).toBe(0);
  expect(summary.stats.adtThrottled).toBeGreaterThan(0);
  for (const [id, values] of expected.twins) {
    const twin = dump.twins.find((t) => t.$dtId === id) ?? {};
    for (const [property, value] of Object.entries(values)) {
      const actual = twin[property];
      const same = typeof value === 'number' ? Math.abs((actual as number) - value) < 1e-6 : actual === value;
      expect({ id, property, same }).toEqual({ id, property, same: true });
    }
  }
}, 180_000);

it('redelivers a failing batch maxRetryCount times, then reports it lost and exits 1', async () => {
  const folder = tempDir('dead-letters');
  const { summary } = await runLocal({
    telemetry: join(buildingScenario, 'bad-telemetry.ndjson'),
    deadLetterDirectory: folder,
    // Dead-letter writes now fail (the folder became a file): processBatch fails the invocation so
    // that no message is lost silently.
    beforeFeed: () => {
      rmSync(folder, { recursive: true });
      writeFileSync(folder, 'not a directory');
    },
  });
  const maxRetryCount = 8; // functions/ingestTelemetry.ts registration
  expect(summary.lostBatches.length).toBeGreaterThan(0);
  for (const lost of summary.lostBatches) {
    expect(lost.attempts).toBe(maxRetryCount + 1);
    expect(lost.error).toMatch(/Dead-letter write to .* failed/);
  }
  expect(summary.stats.ingestFailures).toBe(summary.lostBatches.length * (maxRetryCount + 1));
  expect(summary.exitCode).toBe(1);
}, 180_000);
