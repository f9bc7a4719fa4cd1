// The simulator: deterministic generation for a scenario's devices, the committed sample file, and
// what a custom Event Hub producer sends in place of IoT Hub's system properties.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseEnvelope, parseEnvelopes } from '../../../local/runner/envelope';
import { loadScenario } from '../../../local/scenario';
import { scenarioSimulatorConfig } from '../../../local/simulator/deviceProfiles';
import { generateTelemetry, simulatedDevices } from '../../../local/simulator/generate';
import { simulate } from '../../../local/simulator/simulate';
import { fileSink, toEventData } from '../../../local/simulator/sinks';
import { buildingScenario, tempDir } from '../support/runLocal';

const scenario = loadScenario(buildingScenario);
const config = scenarioSimulatorConfig(scenario);
const devices = simulatedDevices(scenario.graph.twins, config);
const options = { devices, config, rate: 5, count: 300, start: new Date('2024-05-01T08:00:00Z'), seed: 42 };

it('simulates the 30 devices of the sample building and none of its rooms or floors', () => {
  expect(devices).toHaveLength(30);
  expect(devices.every((d) => /^(thermostat|occupancy|airquality)-\d{3}$/.test(d.deviceId))).toBe(true);
});

it('regenerates the committed telemetry.ndjson exactly from seed 42', async () => {
  const path = join(tempDir('simulate'), 'telemetry.ndjson');
  const sink = fileSink(path);
  const sent = await simulate({ ...options, sink });
  await sink.close();
  expect(sent).toBe(300);
  expect(readFileSync(path, 'utf8')).toBe(readFileSync(join(buildingScenario, 'telemetry.ndjson'), 'utf8'));
});

it('stamps the device reading time the pipeline reads as sourceTime, before the enqueued time', () => {
  const [first] = [...generateTelemetry({ ...options, count: 1 })];
  const body = first?.body as Record<string, unknown>;
  expect(body.ts).toBe('2024-05-01T07:59:59.750Z');
  expect(first?.enqueuedTime).toBe('2024-05-01T08:00:00.000Z');
  expect([...generateTelemetry({ ...options, seed: 43, count: 1 })][0]?.body).not.toEqual(body);
});

it('sends the device id as an application property to an Event Hub (IoT Hub system properties cannot be forged)', () => {
  const data = toEventData({
    deviceId: 'thermostat-101',
    enqueuedTime: '2024-05-01T08:00:00Z',
    messageId: 'm1',
    properties: { fw: '2.0' },
    body: { temperature: 21 },
  });
  expect(data).toEqual({
    body: { temperature: 21 },
    contentType: 'application/json',
    messageId: 'm1',
    properties: { fw: '2.0', deviceId: 'thermostat-101' },
  });
});

it('names the line and field of a malformed envelope', () => {
  expect(() => parseEnvelope('{"deviceId":"d","enqueuedTime":"soon","body":{}}', 'x.ndjson:3')).toThrow(
    'x.ndjson:3: field "enqueuedTime" must be an ISO 8601 date-time.',
  );
  expect(() => parseEnvelopes('{"deviceId":"d","enqueuedTime":"2024-01-01T00:00:00Z"}\n', 'f')).toThrow(
    'f:1: field "body" or "bodyBase64" must be present (exactly one of them).',
  );
});
