// First-touch reads of a batch's twins run concurrently (within the gateway's budgets), not one
// message after the other; the plan is the same as sequential mapping would give.
import { compilePipelineConfig } from '../../../../shared/config';
import { processBatch, type RawEvent } from '../../../../shared/ingest';
import { createWorker } from '../../../../shared/worker';
import { FakePort } from '../../adt/fakes';

it('reads 40 new twins of one batch concurrently and still applies every value in order', async () => {
  const port = new FakePort();
  port.delayMs = 10;
  const ids = Array.from({ length: 40 }, (_, i) => `room-${i}`);
  for (const id of ids) port.addTwin(id);
  const w = createWorker({
    env: {},
    config: compilePipelineConfig(
      { ingest: { options: { maxParallelTwins: 1 }, rules: [{ name: 'r', properties: [{ target: 'temperature' }] }] } },
      't',
    ),
    port,
    deadLetters: { target: 'none', write: async () => undefined },
  });
  const events: RawEvent[] = [...ids, ...ids].map((id, i) => ({
    body: Buffer.from(JSON.stringify({ temperature: i })),
    index: i,
    sequenceNumber: i,
    enqueuedTimeUtc: new Date(Date.UTC(2024, 4, 1, 10, 0, i)).toISOString(),
    systemProperties: { 'iothub-connection-device-id': id },
    properties: {},
  }));
  const { summary } = await processBatch(events, w.ingest);
  expect(summary).toMatchObject({ received: 80, applied: 80, patches: 40, messagesCoalesced: 40 });
  expect(port.count('getTwin')).toBe(40);
  const getTwins = port.calls.filter((c) => c.method === 'getTwin');
  expect(getTwins).toHaveLength(40);
  expect(port.maxInFlight).toBeGreaterThan(8);
  for (const [i, id] of ids.entries()) expect(port.twins.get(id)?.temperature).toBe(40 + i);
});
