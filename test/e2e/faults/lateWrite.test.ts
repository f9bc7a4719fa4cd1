// Known defect, reproduced deterministically: a twin patch that outlives the ingest deadline is
// abandoned by the client but still applied by the service when it finally arrives. The batch is
// redelivered and applied, the next batch writes a newer value, and then the abandoned write lands
// and puts the older value back. Ingest patches are unconditional (no If-Match), so nothing stops
// it; the fault matrix's random "slow responses" case with several batches per partition ends with
// stale device values about one run in three. The fix belongs in shared/adt (a conditional ingest
// patch, e.g. If-Match on the ETag the gateway last saw, re-read on 412); when it lands this test
// fails and must become a plain `it`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultRequest } from '../../../local/emulator/faults';
import type { RunResult } from '../../../local/runner/runScenario';
import { runLocal, tempDir } from '../support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

function reading(n: number, temperature: number): string {
  const at = new Date(Date.UTC(2024, 4, 1, 8, 0, n)).toISOString();
  return JSON.stringify({ deviceId: 'thermostat-101', enqueuedTime: at, messageId: `late-${n}`, systemProperties: { 'content-type': 'application/json' }, body: { temperature, ts: at } });
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

it.failing('a patch that lands after its deadline does not put an older value back (fails today: the twin ends at 20)', () => {
  expect(run.dump.twins.find((t) => t.$dtId === 'thermostat-101')?.temperature).toBe(25);
});
