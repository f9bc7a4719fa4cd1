// Every documented setting takes effect: each test fails when the setting is ignored.
import { compilePipelineConfig } from '../../../shared/config';
import type { RawEvent } from '../../../shared/ingest';
import { processBatch } from '../../../shared/ingest';
import { createWorker, resetWorker, worker } from '../../../shared/worker';
import { MemorySink } from '../../support/memorySink';
import { FakeClock, FakePort, roomModel } from '../adt/fakes';

const event = (index: number, body: unknown, deviceId: string): RawEvent => ({
  body: Buffer.from(JSON.stringify(body)),
  index,
  sequenceNumber: 100 + index,
  offset: String(1000 + index),
  enqueuedTimeUtc: `2024-05-01T10:00:${String(index).padStart(2, '0')}`,
  systemProperties: { 'iothub-connection-device-id': deviceId },
  properties: {},
});

function setup(file: Parameters<typeof compilePipelineConfig>[0], port = new FakePort(), clock = new FakeClock()) {
  const sink = new MemorySink();
  const w = createWorker({ env: {}, config: compilePipelineConfig(file, 'test.yaml'), port, deadLetters: sink, clock });
  return { port, sink, clock, w, run: (events: RawEvent[]) => processBatch(events, { ...w.ingest, clock }) };
}

const temperatureRule = { name: 'room', properties: [{ target: 'temperature' }, { target: 'occupied' }] };

describe('ingest.options.emitSourceTime', () => {
  it('writes $metadata sourceTimes by default and none when false', async () => {
    for (const emitSourceTime of [true, false]) {
      const { port, run } = setup({ ingest: { options: { emitSourceTime }, rules: [temperatureRule] } });
      port.addTwin('room-1');
      await run([event(1, { temperature: 21, occupied: true }, 'room-1')]);
      const patch = port.calls.find((c) => c.method === 'updateTwin')?.patch ?? [];
      expect(patch.filter((op) => op.path.includes('$metadata')).map((op) => op.path)).toEqual(
        emitSourceTime ? ['/$metadata/temperature/sourceTime', '/$metadata/occupied/sourceTime'] : [],
      );
      expect(port.twins.get('room-1')).toMatchObject({ temperature: 21, occupied: true });
    }
  });
});

describe('ingest.options.maxParallelTwins', () => {
  it('keeps at most that many twin updates of a batch in flight', async () => {
    for (const maxParallelTwins of [1, 3]) {
      const port = new FakePort();
      port.delayMs = 5;
      const ids = Array.from({ length: 12 }, (_, i) => `room-${i}`);
      for (const id of ids) port.addTwin(id);
      const { run } = setup({ ingest: { options: { maxParallelTwins }, rules: [temperatureRule] } }, port);
      // Every twin is already known (its model read during planning), so only the writes remain.
      const { summary } = await run(ids.map((id, i) => event(i, { temperature: i }, id)));
      expect(summary.applied).toBe(12);
      port.maxInFlight = 0;
      await run(ids.map((id, i) => event(20 + i, { temperature: 100 + i }, id)));
      expect(port.count('updateTwin')).toBe(24);
      expect(port.maxInFlight).toBe(maxParallelTwins);
    }
  });
});

describe('rollups.settings.modelCacheSeconds', () => {
  it('fetches a model again after the TTL, so a model re-uploaded in ADT is seen', async () => {
    const port = new FakePort();
    port.addTwin('room-1');
    const { run, clock, sink } = setup(
      {
        ingest: { rules: [{ name: 'room', properties: [{ target: 'pressure' }] }] },
        rollups: { settings: { modelCacheSeconds: 60 }, rules: [] },
      },
      port,
    );
    const first = await run([event(1, { pressure: 40 }, 'room-1')]);
    expect(first.summary.deadLetteredByReason).toEqual({ 'not-in-model': 1 });

    // The model is deleted and uploaded again with a pressure property (same id, as ADT allows).
    port.models[0] = { ...roomModel, contents: [...roomModel.contents, { '@type': 'Property', name: 'pressure', schema: 'double' }] };
    clock.time += 59_000;
    const cached = await run([event(2, { pressure: 41 }, 'room-1')]);
    expect(cached.summary.deadLetteredByReason).toEqual({ 'not-in-model': 1 });
    expect(port.count('getModels')).toBe(1);

    clock.time += 2_000;
    const refreshed = await run([event(3, { pressure: 42 }, 'room-1')]);
    expect(refreshed.summary.applied).toBe(1);
    expect(port.count('getModels')).toBe(2);
    expect(port.twins.get('room-1')?.pressure).toBe(42);
    expect(sink.documents).toHaveLength(2);
  });
});

describe('one composition root per worker', () => {
  afterEach(() => resetWorker());

  it('gives both functions one gateway, built once, and a fresh one after reset', () => {
    const w = createWorker({ env: {}, config: compilePipelineConfig({}, 'test'), port: new FakePort(), deadLetters: new MemorySink() });
    expect(w.ingest.gateway).toBe(w.gateway);
    expect(w.ingest).toBe(w.ingest);
    expect(w.propagator).toBe(w.propagator);

    process.env.ADT_SERVICE_URL = 'https://example.api.weu.digitaltwins.azure.net';
    process.env.DEAD_LETTER_DIRECTORY = '.local/test-dead-letters';
    try {
      const first = worker();
      expect(worker()).toBe(first);
      resetWorker();
      expect(worker()).not.toBe(first);
      expect(worker().ingest.gateway).toBe(worker().gateway);
    } finally {
      delete process.env.ADT_SERVICE_URL;
      delete process.env.DEAD_LETTER_DIRECTORY;
    }
  });
});
