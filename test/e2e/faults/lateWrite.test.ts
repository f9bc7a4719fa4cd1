// A twin patch that outlives the ingest deadline is abandoned by the client but may still be applied
// by the service when it finally arrives: the batch is redelivered and applied, the next batch
// writes a newer value, and then the abandoned write lands. Ingest patches carry If-Match on the
// ETag the stale check used, so the late write meets a newer ETag, gets 412 and changes nothing;
// without it the older value came back (the twin ended at 20). Reproduced deterministically.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { FaultRequest } from '../../../local/emulator/faults';
import type { RunResult } from '../../../local/runner/runScenario';
import { runLocal, tempDir } from '../support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

function reading(n: number, temperature: number): string {
  const at = new Date(Date.UTC(2024, 4, 1, 8, 0, n)).toISOString();
  return JSON.stringify({
    deviceId: 'thermostat-101',
    enqueuedTime: at,
    messageId: `late-${n}`,
    systemProperties: { 'content-type': 'application/json' },
    body: { temperature, ts: at },
  });
}

let held = false;
let run: RunResult;

beforeAll(async () => {
  const telemetry = join(tempDir('late-write'), 'telemetry.ndjson');
  writeFileSync(telemetry, `${reading(1, 20)}\n${reading(2, 25)}\n`);
  run = await runLocal({
    telemetry,
    maxBatchSize: 1,
    ingestDeadlineSeconds: 1,
    beforeFeed: ({ emulator }) => {
      if (!emulator) throw new Error('needs the emulator');
      // Hold the first patch of the thermostat for 5 s: past the 1 s deadline, and (with room to spare on a busy machine) after the next batch.
      const original = emulator.faults.beforeRequest.bind(emulator.faults);
      emulator.faults.beforeRequest = async (request: FaultRequest) => {
        if (!held && request.op === 'twin.patch' && request.twinId === 'thermostat-101') {
          held = true;
          await new Promise((resolve) => setTimeout(resolve, 5000));
        }
        return original(request);
      };
    },
    // The run would otherwise be quiet before the held patch lands.
    alongside: () => new Promise((resolve) => setTimeout(resolve, 5500)),
  });
}, 60_000);

it('holds the first patch past the deadline; the batch is redelivered and every message accounted for', () => {
  expect(held).toBe(true);
  expect(run.summary.stats.ingestFailures).toBeGreaterThan(0);
  expect(run.summary.accounting).toMatchObject({ balanced: true, applied: 2 });
});

it('a patch that lands after its deadline does not put an older value back (If-Match)', () => {
  expect(run.dump.twins.find((t) => t.$dtId === 'thermostat-101')?.temperature).toBe(25);
});
