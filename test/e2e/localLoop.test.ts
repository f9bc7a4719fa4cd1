// `npm run local` with no arguments, in-process: the sample building runs to completion and every
// level's derived values equal those computed independently from the telemetry file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseEnvelopes } from '../../local/runner/envelope';
import type { RunResult } from '../../local/runner/runScenario';
import { expectedFromTelemetry } from './support/expectedValues';
import { buildingScenario, runLocal } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const telemetryPath = join(buildingScenario, 'telemetry.ndjson');
const envelopes = parseEnvelopes(readFileSync(telemetryPath, 'utf8'), telemetryPath);
const expected = expectedFromTelemetry(envelopes);
let result: RunResult;

beforeAll(async () => {
  result = await runLocal();
}, 120_000);

const twin = (id: string): Record<string, unknown> => {
  const found = result.dump.twins.find((t) => t.$dtId === id);
  if (!found) throw new Error(`twin ${id} missing from the dump`);
  return found;
};

it('processes every message and ends quiet with exit code 0', () => {
  expect(envelopes.length).toBeGreaterThanOrEqual(200);
  expect(result.summary.exitCode).toBe(0);
  expect(result.summary.stats.messagesIn).toBe(envelopes.length);
  expect(result.summary.stats.applied).toBe(envelopes.length);
  expect(result.summary.stats.deadLettered).toBe(0);
  expect(result.summary.lostBatches).toEqual([]);
  expect(result.summary.propagationFailures).toEqual([]);
  expect(result.summary.stats.propagationWrites).toBeGreaterThan(0);
});

it('feeds batches no larger than host.json maxEventBatchSize, one stream per partition', () => {
  const host = JSON.parse(readFileSync(join(__dirname, '..', '..', 'host.json'), 'utf8')) as {
    extensions: { eventHubs: { maxEventBatchSize: number } };
  };
  const max = host.extensions.eventHubs.maxEventBatchSize;
  // 4 partitions, each needs ceil(its events / max) invocations; with no failures that is all there is.
  expect(result.summary.stats.ingestInvocations).toBeGreaterThanOrEqual(4);
  expect(result.summary.stats.ingestInvocations).toBeLessThanOrEqual(4 + Math.ceil(envelopes.length / max));
  expect(result.summary.stats.ingestFailures).toBe(0);
});

it('device twins hold the last reading of each device', () => {
  for (const [deviceId, body] of expected.devices) {
    const t = twin(deviceId);
    if (deviceId.startsWith('thermostat-')) {
      expect(t.temperature).toBeCloseTo(body.temperature as number, 6);
      expect(t.humidity).toBeCloseTo(body.humidity as number, 6);
      expect(t.targetTemperature).toBe(body.setpoint);
    }
    if (deviceId.startsWith('occupancy-')) {
      expect(t.occupied).toBe(body.occupied);
      expect(t.peopleCount).toBe(body.count);
    }
    if (deviceId.startsWith('airquality-')) expect(t.co2).toBe(body.co2);
  }
});

it('rooms, floors and the building carry the independently computed roll-ups', () => {
  expect(expected.twins.size).toBe(12 + 3 + 1);
  for (const [id, values] of expected.twins) {
    const t = twin(id);
    for (const [property, value] of Object.entries(values)) {
      if (typeof value === 'boolean') expect({ id, property, value: t[property] }).toEqual({ id, property, value });
      else expect({ id, property, close: Math.abs((t[property] as number) - value) < 1e-6 }).toEqual({ id, property, close: true });
    }
  }
});

it('prints the hierarchy as a tree rooted at the building', () => {
  const lines = result.tree.split('\n');
  expect(lines[0]).toMatch(/^building-hq \(Building\) .*peopleCount=\d+/);
  expect(lines.filter((l) => /[├└]─ floor-\d \(Floor\)/.test(l))).toHaveLength(3);
  expect(lines.filter((l) => /[├└]─ room-\d+ \(Room\)/.test(l))).toHaveLength(12);
  expect(lines).toHaveLength(46);
});
