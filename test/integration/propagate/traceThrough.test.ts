// One device trace, followed whole through the emulator: the device's write to its twin (with the
// traceparent ingest forwards) → the room's derived write → the floor's → the building's. Each
// derived write continues the trace-id of the notification that caused it, and the emulator (like
// ADT) carries a write's trace-id into the notification it causes, so every level is one operation.
import { traceIdOf } from '../../../shared/rollup';
import type { Harness } from './harness';
import { buildBuilding, setReading, startHarness } from './harness';

const deviceTraceId = '5b8aa5a2d2c872e8321cf37308d69df2';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('EventGrid');
  await buildBuilding(h.client);
  await setReading(h.client, 'f1r1t1', 'temperature', 20, '2024-05-01T10:00:00Z');
  await h.settle();
});
afterAll(() => h.close());

it("a device reading reaches the room, the floor and the building in the device's trace", async () => {
  const writes: { id: string; traceId: string | undefined }[] = [];
  const updateTwin = h.port.updateTwin.bind(h.port);
  h.port.updateTwin = (id, ops, options) => {
    writes.push({ id, traceId: traceIdOf(options.traceparent) });
    return updateTwin(id, ops, options);
  };
  await h.client.updateDigitalTwin(
    'f1r1t1',
    [
      { op: 'replace', path: '/temperature', value: 30 },
      { op: 'add', path: '/$metadata/temperature/sourceTime', value: '2024-05-01T10:01:00Z' },
    ],
    { requestOptions: { customHeaders: { traceparent: `00-${deviceTraceId}-051581bf3cb55c13-01` } } },
  );
  await h.settle();
  expect(await h.twin('bldg')).toMatchObject({ maxTemperature: 30 });
  expect(writes.map((w) => w.id)).toEqual(['f1r1', 'f1', 'bldg']);
  expect(writes.every((w) => w.traceId === deviceTraceId)).toBe(true);
  expect(h.summaries.every((s) => s.hopLimited === 0)).toBe(true);
});
