// `npm run local` on telemetry whose message ids repeat (IoT Hub delivers at least once, devices
// re-send): every event is accounted once by partition and sequence number, the run balances and
// exits 0, and the repeats are reported as information.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseEnvelopes } from '../../local/runner/envelope';
import { buildingScenario, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

it('balances and exits 0 when message ids repeat: re-sent messages and ids shared across devices', async () => {
  const telemetryPath = join(buildingScenario, 'telemetry.ndjson');
  const envelopes = parseEnvelopes(readFileSync(telemetryPath, 'utf8'), telemetryPath);
  // Every tenth message re-sent a second later (same id, same body), and two devices that reuse one id.
  const resent = envelopes
    .filter((_, i) => i % 10 === 0)
    .map((e) => ({ ...e, enqueuedTime: new Date(Date.parse(e.enqueuedTime) + 1000).toISOString() }));
  const shared = envelopes.slice(1, 3).map((e) => ({ ...e, messageId: 'shared-id' }));
  const telemetry = [...envelopes.slice(0, 1), ...shared, ...envelopes.slice(3), ...resent];
  const file = join(tempDir('repeated-ids'), 'telemetry.ndjson');
  writeFileSync(file, `${telemetry.map((e) => JSON.stringify(e)).join('\n')}\n`, 'utf8');

  const result = await runLocal({ telemetry: file });

  const a = result.summary.accounting;
  expect(a).toMatchObject({
    fed: telemetry.length,
    received: telemetry.length,
    givenUp: [],
    undelivered: [],
    duplicated: [],
    unbalancedBatches: 0,
    balanced: true,
  });
  expect(a.applied + a.filtered + a.deadLettered).toBe(telemetry.length);
  expect(a.repeatedMessageIds).toBe(resent.length + 1);
  expect(result.summary.exitCode).toBe(0);
}, 120_000);
