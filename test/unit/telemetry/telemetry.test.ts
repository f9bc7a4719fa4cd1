// shared/telemetry: instruments follow whichever meter provider is registered (no-op before), spans
// link to device traces and continue the notification's trace, Azure Monitor is loaded only when
// its setting is there.
import { metrics, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

import { type LocalMetrics, startLocalMetrics } from '../../../local/runner/localMetrics';
import { AdtGateway, emptyCallStats } from '../../../shared/adt';
import {
  recordAdtThrottled,
  recordIngestBatch,
  recordPropagateEvent,
  recordReconcile,
  resetAzureMonitorForTests,
  spanContextOf,
  startAzureMonitor,
} from '../../../shared/telemetry';
import { sample } from '../../e2e/support/prometheus';
import { FakeClock, FakePort } from '../adt/fakes';

const device1 = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const device2 = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const batch = (overrides: Partial<Parameters<typeof recordIngestBatch>[0]> = {}): Parameters<typeof recordIngestBatch>[0] => ({
  received: 5,
  applied: 3,
  filtered: 1,
  deadLettered: 1,
  deadLetteredByReason: { 'invalid-json': 1 },
  twinsPatched: 2,
  messagesCoalesced: 1,
  staleValuesSkipped: 0,
  telemetrySent: 2,
  retries: 2,
  partitionId: '3',
  ...overrides,
});

const event = (overrides: Partial<Parameters<typeof recordPropagateEvent>[0]> = {}): Parameters<typeof recordPropagateEvent>[0] => ({
  eventId: 'e1',
  type: 'Microsoft.DigitalTwins.Twin.Update',
  outcome: 'processed',
  parentsRecomputed: 2,
  writes: 1,
  skippedUnchanged: 1,
  hopLimited: 0,
  deadLettered: 0,
  preconditionRetries: 1,
  parents: [
    { parentId: 'room-1', status: 'written' },
    { parentId: 'floor-1', status: 'unchanged' },
  ],
  ...overrides,
});

describe('metrics', () => {
  let local: LocalMetrics | undefined;
  afterEach(async () => {
    await local?.close();
    local = undefined;
  });

  it('records nothing (and costs no SDK) before a provider is registered, then into the one registered', async () => {
    metrics.disable();
    recordIngestBatch(batch(), [], { started: 0, ended: 1 });
    local = startLocalMetrics();
    const at = Date.now();
    recordIngestBatch(
      batch(),
      [
        { enqueuedTime: new Date(at - 2000).toISOString() },
        { enqueuedTime: 'not a time' },
        { enqueuedTime: new Date(at - 500).toISOString() },
      ],
      { started: at - 100, ended: at },
    );
    const text = await local.text();
    expect(sample(text, 'pipeline_ingest_messages_total', { outcome: 'applied' })).toBe(3);
    expect(sample(text, 'pipeline_ingest_messages_total', { outcome: 'filtered' })).toBe(1);
    expect(sample(text, 'pipeline_ingest_messages_total', { outcome: 'dead-lettered', reason: 'invalid-json' })).toBe(1);
    expect(sample(text, 'pipeline_ingest_batches_total')).toBe(1);
    expect(sample(text, 'pipeline_ingest_twins_patched_total')).toBe(2);
    expect(sample(text, 'pipeline_ingest_values_coalesced_total')).toBe(1);
    expect(sample(text, 'pipeline_ingest_telemetry_sent_total')).toBe(2);
    expect(sample(text, 'pipeline_adt_retries_total', { function: 'ingest' })).toBe(2);
    // One lag sample per message with a readable enqueued time, measured to the end of the batch.
    expect(sample(text, 'pipeline_ingest_lag_count')).toBe(2);
    expect(sample(text, 'pipeline_ingest_lag_sum')).toBeCloseTo(2.5, 5);
    expect(sample(text, 'pipeline_ingest_lag_bucket', { le: '1' })).toBe(1);
    expect(sample(text, 'pipeline_ingest_batch_duration_sum')).toBeCloseTo(0.1, 5);
  });

  it('counts writes saved by reason (unchanged, within-deadband) and heartbeat writes', async () => {
    local = startLocalMetrics();
    recordIngestBatch(batch({ suppressedWrites: { unchanged: 4, 'within-deadband': 2 }, heartbeatWrites: 3 }), [], {
      started: 0,
      ended: 1,
    });
    recordIngestBatch(batch({ suppressedWrites: { unchanged: 1 } }), [], { started: 0, ended: 1 });
    const text = await local.text();
    expect(sample(text, 'pipeline_ingest_writes_suppressed_total', { reason: 'unchanged' })).toBe(5);
    expect(sample(text, 'pipeline_ingest_writes_suppressed_total', { reason: 'within-deadband' })).toBe(2);
    expect(sample(text, 'pipeline_ingest_heartbeat_writes_total')).toBe(3);
  });

  it('follows a new provider: instruments are re-created when the registration changes', async () => {
    local = startLocalMetrics();
    recordAdtThrottled('updateTwin');
    await local.close();
    local = startLocalMetrics();
    recordAdtThrottled('getTwin');
    recordAdtThrottled('getTwin');
    const text = await local.text();
    expect(sample(text, 'pipeline_adt_throttled_total', { operation: 'getTwin' })).toBe(2);
    expect(sample(text, 'pipeline_adt_throttled_total', { operation: 'updateTwin' })).toBe(0);
  });

  it('counts propagate events by outcome and type, writes, unchanged, hop limits, dead letters and reconcile results', async () => {
    local = startLocalMetrics();
    recordPropagateEvent(event(), { started: 0, ended: 1, traceparent: undefined });
    recordPropagateEvent(
      event({ outcome: 'ignored', type: 'Microsoft.IoT.Telemetry', writes: 0, skippedUnchanged: 0, preconditionRetries: 0, parents: [] }),
      { started: 0, ended: 1, traceparent: undefined },
    );
    recordPropagateEvent(event({ writes: 0, skippedUnchanged: 0, hopLimited: 1, deadLettered: 2, preconditionRetries: 0 }), {
      started: 0,
      ended: 1,
      traceparent: undefined,
    });
    recordReconcile({ written: 4, unchanged: 10, failures: [{}] });
    const text = await local.text();
    expect(sample(text, 'pipeline_propagate_events_total', { outcome: 'processed', type: 'Microsoft.DigitalTwins.Twin.Update' })).toBe(2);
    expect(sample(text, 'pipeline_propagate_events_total', { outcome: 'ignored' })).toBe(1);
    expect(sample(text, 'pipeline_propagate_writes_total')).toBe(1);
    expect(sample(text, 'pipeline_propagate_unchanged_total')).toBe(1);
    expect(sample(text, 'pipeline_propagate_hop_limited_total')).toBe(1);
    expect(sample(text, 'pipeline_propagate_dead_lettered_total')).toBe(2);
    expect(sample(text, 'pipeline_adt_retries_total', { function: 'propagate' })).toBe(1);
    expect(sample(text, 'pipeline_reconcile_parents_total', { result: 'written' })).toBe(4);
    expect(sample(text, 'pipeline_reconcile_parents_total', { result: 'unchanged' })).toBe(10);
    expect(sample(text, 'pipeline_reconcile_parents_total', { result: 'failed' })).toBe(1);
  });
});

describe('traces', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    trace.disable();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterAll(() => trace.disable());
  beforeEach(() => exporter.reset());

  it("links the batch span to every valid device traceparent, over the batch's own time", () => {
    const enqueuedTime = new Date().toISOString();
    recordIngestBatch(
      batch(),
      [
        { enqueuedTime, traceparent: device1 },
        { enqueuedTime, traceparent: 'garbage' },
        { enqueuedTime },
        { enqueuedTime, traceparent: device2 },
      ],
      { started: 1_700_000_000_000, ended: 1_700_000_000_250 },
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('ingest.batch');
    expect(span?.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([
      ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331'],
      ['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'],
    ]);
    expect(span?.attributes).toMatchObject({
      'pipeline.messages.received': 5,
      'pipeline.messages.dead_lettered': 1,
      'pipeline.partition': '3',
    });
    const ms = (t: [number, number] | undefined) => (t ? t[0] * 1000 + t[1] / 1e6 : Number.NaN);
    expect(ms(span?.duration)).toBeCloseTo(250, 3);
  });

  it("continues the notification's trace (the device's, carried by ADT) through to the parents it wrote", () => {
    recordPropagateEvent(event(), { started: 1000, ended: 1200, traceparent: device1 });
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('propagate.event');
    expect(span?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span?.attributes['pipeline.parents.written']).toEqual(['room-1']);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('marks rejected events as errors and leaves ignored ones out', () => {
    recordPropagateEvent(event({ outcome: 'ignored' }), { started: 0, ended: 1, traceparent: device1 });
    recordPropagateEvent(event({ outcome: 'rejected', reason: 'ADT refused' }), { started: 0, ended: 1, traceparent: undefined });
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ADT refused' });
  });

  it('reads W3C traceparents and refuses invalid ones', () => {
    expect(spanContextOf(device1)).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    expect(spanContextOf('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00')?.traceFlags).toBe(0);
    for (const bad of [
      undefined,
      '',
      'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      '00-xyz-b7ad6b7169203331-01',
    ]) {
      expect(spanContextOf(bad)).toBeUndefined();
    }
  });
});

describe('Azure Monitor start', () => {
  const credential = () => ({ getToken: async () => null });
  afterEach(() => resetAzureMonitorForTests());

  it('loads nothing without APPLICATIONINSIGHTS_CONNECTION_STRING', () => {
    const load = jest.fn();
    expect(startAzureMonitor({ env: {}, credential, load })).toBe('off');
    expect(startAzureMonitor({ env: { APPLICATIONINSIGHTS_CONNECTION_STRING: '  ' }, credential, load })).toBe('off');
    expect(load).not.toHaveBeenCalled();
  });

  it('starts once with the connection string and the identity, however many function files call it', () => {
    const useAzureMonitor = jest.fn();
    const load = jest.fn(() => ({ useAzureMonitor }));
    const env = { APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x;IngestionEndpoint=https://example.invalid/' };
    expect(startAzureMonitor({ env, credential, load })).toBe('started');
    expect(startAzureMonitor({ env, credential, load })).toBe('started');
    expect(load).toHaveBeenCalledTimes(1);
    const options = useAzureMonitor.mock.calls[0]?.[0] as {
      azureMonitorExporterOptions: { connectionString: string; credential: unknown };
    };
    expect(options.azureMonitorExporterOptions.connectionString).toBe(env.APPLICATIONINSIGHTS_CONNECTION_STRING);
    expect(options.azureMonitorExporterOptions.credential).toBeDefined();
    // Its HTTP instrumentation would replace the device traceparent on ADT requests.
    expect(options).toMatchObject({ instrumentationOptions: { http: { enabled: false } } });
  });

  it('requires the real package only when started (lazy), and that package is installed', () => {
    let loaded = 0;
    const useAzureMonitor = jest.fn();
    jest.isolateModules(() => {
      jest.doMock('@azure/monitor-opentelemetry', () => {
        loaded += 1;
        return { useAzureMonitor };
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('../../../shared/telemetry') as typeof import('../../../shared/telemetry');
      fresh.startAzureMonitor({ env: {}, credential });
      expect(loaded).toBe(0);
      fresh.startAzureMonitor({ env: { APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x' }, credential });
      expect(loaded).toBe(1);
      expect(useAzureMonitor).toHaveBeenCalledTimes(1);
    });
    expect(() => require.resolve('@azure/monitor-opentelemetry')).not.toThrow();
  });
});

describe('gateway 429s', () => {
  it('counts every 429 the gateway meets, by operation, whoever the caller is', async () => {
    const local = startLocalMetrics();
    try {
      const clock = new FakeClock();
      const port = new FakePort();
      port.addTwin('room-1');
      const gateway = new AdtGateway({ port, clock, random: () => 1 });
      port.script.set('updateTwin', [
        { status: 429, code: 'TooManyRequests', retryAfterMs: 1000 },
        { status: 429, retryAfterMs: 1000 },
      ]);
      port.script.set('getTwin', [{ status: 429, retryAfterMs: 1000 }]);
      await gateway.updateTwin('room-1', [{ op: 'add', path: '/temperature', value: 20 }], {
        deadline: clock.now() + 60_000,
        stats: emptyCallStats(),
      });
      await gateway.getTwin('room-1', { deadline: clock.now() + 60_000, stats: emptyCallStats() });
      const text = await local.text();
      expect(sample(text, 'pipeline_adt_throttled_total', { operation: 'updateTwin' })).toBe(2);
      expect(sample(text, 'pipeline_adt_throttled_total', { operation: 'getTwin' })).toBe(1);
    } finally {
      await local.close();
    }
  });
});
