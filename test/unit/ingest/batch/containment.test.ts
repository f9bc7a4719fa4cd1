// What one message's content causes stays with that message: non-ADT failures are dead-lettered,
// a dead letter carries only its own message's value, a big coalesced patch is split, and a wrong
// device clock cannot freeze a property.
import { compilePipelineConfig } from '../../../../shared/config';
import { processBatch, type RawEvent } from '../../../../shared/ingest';
import { buildPatch, requestGroups } from '../../../../shared/ingest/write/patchBuilder';
import { createWorker } from '../../../../shared/worker';
import { MemorySink } from '../../../support/memorySink';
import { FakeClock, FakePort } from '../../adt/fakes';

const event = (
  index: number,
  body: unknown,
  deviceId = 'room-1',
  enqueued = `2024-05-01T10:00:${String(index).padStart(2, '0')}`,
): RawEvent => ({
  body: Buffer.from(JSON.stringify(body)),
  index,
  sequenceNumber: 100 + index,
  enqueuedTimeUtc: enqueued,
  systemProperties: { 'iothub-connection-device-id': deviceId },
  properties: {},
});

function setup(options: Record<string, unknown> = {}, port = new FakePort()) {
  const sink = new MemorySink();
  const clock = new FakeClock(Date.parse('2024-05-01T10:01:00Z'));
  const w = createWorker({
    env: {},
    config: compilePipelineConfig(
      {
        ingest: {
          options: { sourceTime: 'ts', ...options },
          rules: [{ name: 'room', properties: [{ target: 'temperature' }, { target: 'config' }] }],
        },
      },
      't',
    ),
    port,
    deadLetters: sink,
    clock,
  });
  return { port, sink, clock, run: (events: RawEvent[]) => processBatch(events, { ...w.ingest, clock }) };
}

it('dead-letters a twin whose write fails without an ADT answer and applies the rest of the batch', async () => {
  const port = new FakePort();
  port.addTwin('room-1');
  port.addTwin('room-2');
  const original = port.updateTwin.bind(port);
  port.updateTwin = async (twinId, patch, options) => {
    if (twinId === 'room-1') throw new TypeError('Invalid character in header content ["traceparent"]');
    return original(twinId, patch, options);
  };
  const { run, sink } = setup({}, port);
  const { summary } = await run([
    event(1, { temperature: 20, ts: '2024-05-01T10:00:01Z' }),
    event(2, { temperature: 21, ts: '2024-05-01T10:00:02Z' }, 'room-2'),
  ]);
  expect(summary).toMatchObject({ received: 2, applied: 1, deadLettered: 1, deadLetteredByReason: { 'write-failed': 1 } });
  expect(sink.documents[0]?.detail).toContain('Invalid character in header content');
  expect(port.twins.get('room-2')?.temperature).toBe(21);
});

it('never lets an invalid newer value take down an older valid one (checked before coalescing)', async () => {
  const port = new FakePort();
  port.addTwin('room-1');
  const { run, sink } = setup({}, port);
  const { summary } = await run([
    event(1, { temperature: 20, ts: '2024-05-01T10:00:01Z' }),
    event(2, { temperature: 'hot', ts: '2024-05-01T10:00:02Z' }),
  ]);
  expect(summary).toMatchObject({ applied: 1, deadLettered: 1, deadLetteredByReason: { 'schema-mismatch': 1 } });
  expect(port.twins.get('room-1')?.temperature).toBe(20);
  expect(sink.documents).toHaveLength(1);
  expect(sink.documents[0]?.sequenceNumber).toBe(102);
});

it('gives each superseded message its own value when ADT refuses the newer one', async () => {
  const port = new FakePort();
  port.addTwin('room-1');
  // ADT refuses the combined patch and the isolated retry of the winner.
  port.script.set('updateTwin', [
    { status: 400, code: 'ValidationFailed', message: 'Invalid twin specified' },
    { status: 400, code: 'ValidationFailed', message: 'Invalid twin specified' },
  ]);
  const { run, sink } = setup({}, port);
  const { summary } = await run([
    event(1, { temperature: 20, ts: '2024-05-01T10:00:01Z' }),
    event(2, { temperature: 21, ts: '2024-05-01T10:00:02Z' }),
  ]);
  expect(summary.deadLetteredByReason).toEqual({ 'adt-rejected': 1, 'superseded-by-rejected': 1 });
  const byEvent = new Map(sink.documents.map((d) => [d.sequenceNumber, d.rejectedParts[0]]));
  expect(byEvent.get(102)).toMatchObject({ reason: 'adt-rejected', value: 21 });
  expect(byEvent.get(101)).toMatchObject({ reason: 'superseded-by-rejected', value: 20 });
  expect(byEvent.get(101)?.detail).toContain('seq:102');
});

it("splits a twin's updates into requests under ADT's 32 KB limit, each update exactly once", async () => {
  const updates = Array.from({ length: 20 }, (_, i) => ({
    twinId: 't',
    property: `p${i}`,
    value: 'y'.repeat(3000),
    sourceTime: '2024-05-01T10:00:00Z',
    eventKeys: [`e${i}`],
    rule: 'r',
  }));
  const groups = requestGroups(updates);
  expect(groups.length).toBe(2);
  for (const group of groups) expect(Buffer.byteLength(JSON.stringify(buildPatch(undefined, group)))).toBeLessThan(32 * 1024);
  expect(groups.flat()).toEqual(updates);
  expect(requestGroups(updates.slice(0, 3))).toHaveLength(1);
});

it('clamps a source time a year ahead to the enqueued time, so later readings still apply', async () => {
  const port = new FakePort();
  port.addTwin('room-1');
  const { run } = setup({}, port);
  const first = await run([event(1, { temperature: 99, ts: '2025-05-01T10:00:00Z' })]);
  expect(first.summary.futureSourceTimesClamped).toBe(1);
  const second = await run([event(2, { temperature: 21, ts: '2024-05-01T10:00:02Z' })]);
  expect(second.summary).toMatchObject({ applied: 1, staleValuesSkipped: 0 });
  expect(port.twins.get('room-1')?.temperature).toBe(21);
});

it('dead-letters a future source time when futureSourceTime is dead-letter', async () => {
  const port = new FakePort();
  port.addTwin('room-1');
  const { run } = setup({ futureSourceTime: 'dead-letter' }, port);
  const { summary } = await run([event(1, { temperature: 99, ts: '2025-05-01T10:00:00Z' })]);
  expect(summary.deadLetteredByReason).toEqual({ 'future-source-time': 1 });
});

it('does not let a sourceTime stored by a wrong clock freeze the property', async () => {
  const port = new FakePort();
  port.addTwin('room-1', {
    temperature: 99,
    $metadata: { $model: 'dtmi:test:Room;1', temperature: { sourceTime: '2030-01-01T00:00:00Z' } },
  });
  const { run } = setup({}, port);
  const { summary } = await run([event(1, { temperature: 21, ts: '2024-05-01T10:00:01Z' })]);
  expect(summary).toMatchObject({ applied: 1, staleValuesSkipped: 0 });
  expect(port.twins.get('room-1')?.temperature).toBe(21);
});

it('sends a twin update over 32 KB as several PATCH requests, every value written once', async () => {
  const labels = Array.from({ length: 12 }, (_, i) => `label${i}`);
  const model = {
    '@id': 'dtmi:test:Room;1',
    '@type': 'Interface',
    '@context': 'dtmi:dtdl:context;2',
    contents: labels.map((name) => ({ '@type': 'Property', name, schema: 'string' })),
  };
  const port = new FakePort([model]);
  port.addTwin('room-1');
  const sink = new MemorySink();
  const w = createWorker({
    env: {},
    config: compilePipelineConfig({ ingest: { rules: [{ name: 'room', properties: labels.map((target) => ({ target })) }] } }, 't'),
    port,
    deadLetters: sink,
  });
  const body = Object.fromEntries(labels.map((name) => [name, 'x'.repeat(4000)]));
  const { summary } = await processBatch([event(1, body)], w.ingest);
  expect(summary).toMatchObject({ applied: 1, deadLettered: 0, twinsPatched: 1 });
  const patches = port.calls.filter((c) => c.method === 'updateTwin');
  expect(patches.length).toBe(2);
  for (const call of patches) expect(Buffer.byteLength(JSON.stringify(call.patch))).toBeLessThan(32 * 1024);
  for (const name of labels) expect(port.twins.get('room-1')?.[name]).toHaveLength(4000);
});
