// A device's trace through the whole loop: the ingest batch span links to the device's traceparent,
// the twin write carries it to ADT (the emulator puts it on the change notification), and the
// propagate span that wrote the room is a child of that same trace — and so are the spans that wrote
// the floor above it: every derived write continues the device's trace-id whole.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

import { runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const traceId = '5b8aa5a2d2c872e8321cf37308d69df2';
const traceparent = `00-${traceId}-051581bf3cb55c13-01`;

it('continues the device trace from the ingest batch to the room and the floor propagate wrote', async () => {
  const exporter = new InMemorySpanExporter();
  trace.disable();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  try {
    const file = join(tempDir('traced'), 'telemetry.ndjson');
    const envelope = {
      deviceId: 'thermostat-101',
      enqueuedTime: '2024-05-01T08:00:00.000Z',
      messageId: 'traced-1',
      properties: { traceparent },
      body: { temperature: 30.5, ts: '2024-05-01T07:59:59.000Z' },
    };
    writeFileSync(file, `${JSON.stringify(envelope)}\n`);
    const { summary } = await runLocal({ telemetry: file });
    expect(summary.exitCode).toBe(0);

    const spans = exporter.getFinishedSpans();
    const batch = spans.find((s) => s.name === 'ingest.batch' && s.links.some((l) => l.context.traceId === traceId));
    expect(batch?.attributes['pipeline.messages.applied']).toBe(1);
    const writtenBy = (spanList: typeof spans) =>
      spanList.flatMap((s) => (s.attributes['pipeline.parents.written'] as string[] | undefined) ?? []);
    const events = spans.filter((s) => s.name === 'propagate.event');
    // The device's own trace-id reaches the room's recompute (the parent) and the floor's (the
    // grandparent) unchanged. (The building's recompute may be folded into a run another change of
    // this busy start-up asked for; test/integration/propagate/traceThrough.test.ts follows a quiet
    // graph to the top.)
    const inTrace = events.filter((s) => s.spanContext().traceId === traceId);
    expect(writtenBy(inTrace)).toEqual(expect.arrayContaining(['room-101', 'floor-1']));
  } finally {
    trace.disable();
  }
}, 180_000);
