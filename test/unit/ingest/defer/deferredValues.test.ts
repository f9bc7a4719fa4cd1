// The deferred-values merge rule (newest per property wins, redelivery changes nothing, the twin keeps
// the time it started waiting), the removal rule (only values still as drained), buckets, parsing.
import {
  bucketOf,
  type DeferredTwin,
  emptyBucket,
  mergeBucket,
  mergeTwin,
  parseDeferredBucket,
  removeWritten,
  twinUpdateOf,
} from '../../../../shared/ingest/defer';

const create = { policy: 'deadLetter' } as const;
const twin = (deferredAt: string, values: Array<[string, unknown, string, number?]>, extra: Partial<DeferredTwin> = {}): DeferredTwin => ({
  twinId: 'room-1',
  deferredAt,
  ifMissing: create,
  values: values.map(([property, value, sourceTime, sequenceNumber]) => ({
    property,
    value,
    sourceTime,
    rule: '(model)',
    eventKeys: [`e-${property}-${String(value)}`],
    ...(sequenceNumber !== undefined && { sequenceNumber }),
  })),
  ...extra,
});
const valuesOf = (t: DeferredTwin) => Object.fromEntries(t.values.map((v) => [v.property, [v.value, v.sourceTime]]));

describe('mergeTwin', () => {
  it('keeps the newer value per property by sourceTime, whichever side it is on', () => {
    const stored = twin('2024-01-01T00:00:10Z', [
      ['temperature', 20, '2024-01-01T00:00:05Z'],
      ['humidity', 40, '2024-01-01T00:00:09Z'],
    ]);
    const incoming = twin('2024-01-01T00:00:20Z', [
      ['temperature', 21, '2024-01-01T00:00:06Z'],
      ['humidity', 39, '2024-01-01T00:00:08Z'],
      ['occupied', true, '2024-01-01T00:00:01Z'],
    ]);
    const merged = mergeTwin(stored, incoming);
    expect(valuesOf(merged)).toEqual({
      temperature: [21, '2024-01-01T00:00:06Z'],
      humidity: [40, '2024-01-01T00:00:09Z'],
      occupied: [true, '2024-01-01T00:00:01Z'],
    });
  });

  it('breaks a sourceTime tie by the later event, and a redelivered value changes nothing', () => {
    const stored = twin('2024-01-01T00:00:10Z', [['temperature', 20, '2024-01-01T00:00:05Z', 7]]);
    expect(valuesOf(mergeTwin(stored, twin('2024-01-01T00:00:11Z', [['temperature', 22, '2024-01-01T00:00:05Z', 9]])))).toEqual({
      temperature: [22, '2024-01-01T00:00:05Z'],
    });
    expect(valuesOf(mergeTwin(stored, twin('2024-01-01T00:00:11Z', [['temperature', 19, '2024-01-01T00:00:05Z', 3]])))).toEqual({
      temperature: [20, '2024-01-01T00:00:05Z'],
    });
    const again = mergeTwin(stored, twin('2024-01-01T00:00:30Z', [['temperature', 20, '2024-01-01T00:00:05Z', 7]]));
    expect(again.values).toEqual(stored.values);
  });

  it('keeps the earliest deferredAt (the twin has waited since then), the newest trace', () => {
    const merged = mergeTwin(
      twin('2024-01-01T00:00:10Z', [], { traceparent: 'old' }),
      twin('2024-01-01T00:00:20Z', [], { traceparent: 'new' }),
    );
    expect([merged.deferredAt, merged.traceparent]).toEqual(['2024-01-01T00:00:10Z', 'new']);
  });

  it('keeps components and sub-paths apart from a top-level property of the same name', () => {
    const a: DeferredTwin = {
      ...twin('t', []),
      values: [{ property: 'battery', component: 'sensor', value: 1, sourceTime: '2024-01-01T00:00:01Z', rule: 'r', eventKeys: [] }],
    };
    const b: DeferredTwin = {
      ...twin('t', []),
      values: [{ property: 'battery', value: 2, sourceTime: '2024-01-01T00:00:02Z', rule: 'r', eventKeys: [] }],
    };
    expect(mergeTwin(a, b).values.map((v) => v.value)).toEqual([1, 2]);
  });
});

describe('mergeBucket and removeWritten', () => {
  it('holds one entry per twin however often it is deferred', () => {
    let bucket = emptyBucket();
    for (let i = 0; i < 5; i++)
      bucket = mergeBucket(bucket, [
        twin(`2024-01-01T00:00:0${i}Z`, [['temperature', i, `2024-01-01T00:00:0${i}Z`]]),
        { ...twin('2024-01-01T00:00:00Z', [['temperature', -i, `2024-01-01T00:00:0${i}Z`]]), twinId: 'room-2' },
      ]);
    expect(bucket.twins.map((t) => [t.twinId, t.values.length, t.values[0]?.value])).toEqual([
      ['room-1', 1, 4],
      ['room-2', 1, -4],
    ]);
  });

  it('removes only values still exactly as drained: a value replaced meanwhile stays', () => {
    const drained = twin('2024-01-01T00:00:00Z', [
      ['temperature', 20, '2024-01-01T00:00:05Z'],
      ['humidity', 40, '2024-01-01T00:00:05Z'],
    ]);
    const meanwhile = mergeBucket({ ...emptyBucket(), twins: [drained] }, [
      twin('2024-01-01T00:00:09Z', [['humidity', 41, '2024-01-01T00:00:09Z']]),
    ]);
    const left = removeWritten(meanwhile, [drained]);
    expect(left.twins.map(valuesOf)).toEqual([{ humidity: [41, '2024-01-01T00:00:09Z'] }]);
    expect(removeWritten({ ...emptyBucket(), twins: [drained] }, [drained]).twins).toEqual([]);
  });
});

describe('buckets and documents', () => {
  it('puts a twin in the same bucket every time, spread over all buckets', () => {
    expect(bucketOf('room-1', 64)).toBe(bucketOf('room-1', 64));
    const used = new Set(Array.from({ length: 2000 }, (_, i) => bucketOf(`room-${i}`, 16)));
    expect(used.size).toBe(16);
    expect(bucketOf('x', 8)).toMatch(/^bucket-000[0-7]\.json$/);
  });

  it('parses what it writes and refuses anything else with the document named', () => {
    const bucket = mergeBucket(emptyBucket(), [twin('2024-01-01T00:00:00Z', [['temperature', 1, '2024-01-01T00:00:01Z']])]);
    expect(parseDeferredBucket('b', JSON.stringify(bucket))).toEqual(bucket);
    expect(() => parseDeferredBucket('bucket-0001.json', '{')).toThrow(/bucket-0001\.json is not JSON/);
    expect(() => parseDeferredBucket('bucket-0001.json', '{"schema":"x","twins":[]}')).toThrow(/not a adt-ingest-deferred\/1 document/);
    expect(() => parseDeferredBucket('bucket-0001.json', '{"schema":"adt-ingest-deferred/1","twins":[{"twinId":1}]}')).toThrow(
      /malformed twin entry/,
    );
  });

  it('turns a stored twin back into the write path unit with its event references', () => {
    const update = twinUpdateOf(twin('2024-01-01T00:00:00Z', [['temperature', 1, '2024-01-01T00:00:01Z', 4]], { traceparent: 'tp' }));
    expect(update).toEqual({
      twinId: 'room-1',
      ifMissing: create,
      traceparent: 'tp',
      updates: [
        {
          twinId: 'room-1',
          property: 'temperature',
          value: 1,
          sourceTime: '2024-01-01T00:00:01Z',
          sequenceNumber: 4,
          eventKeys: ['e-temperature-1'],
          rule: '(model)',
        },
      ],
    });
  });
});
