// The CPU-path benchmark's machinery (figures come from `npm run bench`, never from a timed test):
// it plans real fleet-shaped messages and reports per-message costs for both paths.
import { fleetEvents, runCpuPath } from '../../../bench/cpuPath';

it('builds IoT Hub-shaped events for 2,000 devices', () => {
  const events = fleetEvents(4000);
  expect(new Set(events.map((e) => (e.systemProperties as Record<string, string>)['iothub-connection-device-id'])).size).toBe(2000);
});

it('measures the pipeline and the JSON.parse floor on the same messages', async () => {
  const metrics = await runCpuPath({ messages: 2000, rounds: 1 });
  expect(metrics.messages).toBe(2000);
  expect(metrics.floorNsPerMessage).toBeGreaterThan(0);
  expect(metrics.pipelineNsPerMessage).toBeGreaterThan(metrics.floorNsPerMessage);
  expect(metrics.ratio).toBeCloseTo(metrics.pipelineNsPerMessage / metrics.floorNsPerMessage, 5);
});
