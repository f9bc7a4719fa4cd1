// The CPU-path benchmark's machinery (figures come from `npm run bench`, never from a timed test):
// it runs real fleet-shaped trigger batches through the registered function's handler (which must
// apply every message, or the run throws) and the mapping alone, and reports per-message costs.
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
  expect(metrics.mappingOnlyNsPerMessage).toBeGreaterThan(0);
  expect(metrics.mappingOnlyRatio).toBeCloseTo(metrics.mappingOnlyNsPerMessage / metrics.floorNsPerMessage, 5);
});

it('runs batches that repeat twins through the function (coalesced) and the zero-config model mapping', async () => {
  const metrics = await runCpuPath({ messages: 4000, batchSize: 4000, rounds: 1, mapping: 'model' });
  expect(metrics).toMatchObject({ messages: 4000, batchSize: 4000, mapping: 'model' });
});
