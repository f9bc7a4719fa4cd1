// The writer folds a stateful target's readings over the twin's stored state (write/statefulWrites):
// the total and its input are written together; out-of-order and redelivered readings change nothing
// and are reported; after a 412 the fresh twin's state is folded again.
import { AdtGateway, type CallContext } from '../../../../shared/adt/gateway';
import { emptyCallStats } from '../../../../shared/adt/retry';
import type { PropertyUpdate } from '../../../../shared/ingest/message/propertyUpdate';
import type { Reading, StatefulTransform } from '../../../../shared/ingest/message/statefulReading';
import { writeTwinUpdate } from '../../../../shared/ingest/write/twinWriter';
import { FakeClock, FakePort } from '../../adt/fakes';

const base = Date.UTC(2024, 0, 1);
const at = (seconds: number): string => new Date(base + seconds * 1000).toISOString();
const integrate: StatefulTransform = { kind: 'integrate', input: 'power', perSeconds: 3600, maxGapSeconds: 900 };

/** The update mapping makes for an `energy` target from readings [second, kW]. */
function energy(readings: Array<[number, number]>, transform: StatefulTransform = integrate): PropertyUpdate {
  const list: Reading[] = readings.map(([s, value]) => ({ value, sourceTime: at(s), eventKey: `e${s}` }));
  const newest = list.reduce((a, b) => (a.sourceTime > b.sourceTime ? a : b));
  return {
    twinId: 'meter-1',
    property: 'energy',
    value: newest.value,
    sourceTime: newest.sourceTime,
    eventKeys: list.map((r) => r.eventKey),
    rule: 'meter',
    stateful: { transform, readings: list },
  };
}

function setup(stored: Record<string, unknown> = {}) {
  const clock = new FakeClock(base + 86_400_000);
  const port = new FakePort();
  port.addTwin('meter-1', stored);
  const gateway = new AdtGateway({ port, clock });
  const ctx = (): CallContext => ({ deadline: clock.now() + 60_000, stats: emptyCallStats() });
  const apply = (updates: PropertyUpdate[]) =>
    writeTwinUpdate({ twinId: 'meter-1', updates, ifMissing: { policy: 'deadLetter' } }, gateway, ctx(), {
      emitSourceTime: true,
      maxClockSkewMs: 300_000,
      now: () => clock.now(),
      // A deadband that would suppress every change here: stateful writes ignore it (the state must move).
      significance: () => ({ deadband: { absolute: 1e9 } }),
    });
  const twin = () => port.twins.get('meter-1') as Record<string, unknown> & { $metadata: Record<string, { sourceTime?: string }> };
  return { port, apply, twin };
}

const storedMeter = (power: number, second: number, total: number) => ({
  power,
  energy: total,
  $metadata: { $model: 'dtmi:test:Room;1', power: { sourceTime: at(second) }, energy: { sourceTime: at(second) } },
});

it('folds every reading over the stored state and writes the total and its input in one patch', async () => {
  const { port, apply, twin } = setup(storedMeter(2, 0, 10));
  const result = await apply([
    energy([
      [60, 4],
      [180, 1],
    ]),
  ]);
  expect(result).toMatchObject({ patches: 1, rejected: [], stale: [] });
  expect(result.skippedReadings).toBeUndefined();
  // (2+4)/2 × 60 s + (4+1)/2 × 120 s, in kWh.
  expect(Math.abs((twin().energy as number) - (10 + (3 * 60 + 2.5 * 120) / 3600))).toBeLessThan(1e-12);
  expect(twin()).toMatchObject({ power: 1, $metadata: { power: { sourceTime: at(180) }, energy: { sourceTime: at(180) } } });
  expect(port.count('updateTwin')).toBe(1);
  // Every reading's event is applied.
  expect(result.applied.flatMap((u) => u.eventKeys).sort()).toEqual(['e180', 'e60']);
});

it('skips a reading older than the stored state (out of order) and reports it; the total is not rewound', async () => {
  const { apply, twin } = setup(storedMeter(3, 100, 50));
  const result = await apply([energy([[40, 900]])]);
  expect(result.skippedReadings).toEqual([{ eventKey: 'e40', reason: 'reading-out-of-order' }]);
  expect(result.patches).toBe(0);
  expect(twin()).toMatchObject({ energy: 50, power: 3 });
});

it('a redelivered reading (same sourceTime as stored) changes nothing, and the same batch twice gives the same total', async () => {
  const { port, apply, twin } = setup(storedMeter(2, 0, 0));
  await apply([
    energy([
      [30, 2],
      [90, 6],
    ]),
  ]);
  const total = twin().energy;
  const again = await apply([
    energy([
      [30, 2],
      [90, 6],
    ]),
  ]);
  expect(again.skippedReadings).toEqual([
    { eventKey: 'e30', reason: 'reading-out-of-order' },
    { eventKey: 'e90', reason: 'reading-already-folded' },
  ]);
  expect(twin().energy).toBe(total);
  expect(port.count('updateTwin')).toBe(1);
});

it('after a gap longer than maxGapSeconds keeps the total and starts a new segment', async () => {
  const { apply, twin } = setup(storedMeter(5, 0, 7));
  await apply([
    energy([
      [3600, 1],
      [3660, 3],
    ]),
  ]);
  expect(Math.abs((twin().energy as number) - (7 + (2 * 60) / 3600))).toBeLessThan(1e-12);
});

it('after a 412 re-reads the twin and folds again from the state another writer stored', async () => {
  const { port, apply, twin } = setup(storedMeter(2, 0, 10));
  // Learn the twin (the writer's copy) with a first reading.
  await apply([energy([[60, 2]])]);
  expect(twin().energy).toBeCloseTo(10 + 2 / 60, 12);
  // Another instance folded a reading at 120 s (power 8) since our copy was read; ADT answers our If-Match with 412.
  const other = twin();
  port.twins.set('meter-1', {
    ...other,
    power: 8,
    energy: 500,
    $metadata: { ...other.$metadata, power: { sourceTime: at(120) }, energy: { sourceTime: at(120) } },
  } as never);
  port.script.set('updateTwin', [{ status: 412, code: 'PreconditionFailed', message: 'etag mismatch' }]);
  const result = await apply([
    energy([
      [90, 100],
      [180, 4],
    ]),
  ]);
  // Against the fresh state: 90 s is now out of order; 120 → 180 s integrates (8+4)/2 over 60 s onto 500.
  expect(twin().energy).toBeCloseTo(500 + (6 * 60) / 3600, 12);
  expect(twin()).toMatchObject({ power: 4 });
  expect(result.skippedReadings).toEqual([{ eventKey: 'e90', reason: 'reading-out-of-order' }]);
  expect(result.applied.flatMap((u) => u.eventKeys)).toEqual(['e180']);
  expect(port.count('getTwin')).toBe(2);
});

it('counter: a device reset continues the total', async () => {
  const { apply, twin } = setup({ rawCount: 900, total: 5000, $metadata: { $model: 'dtmi:test:Room;1', rawCount: { sourceTime: at(0) } } });
  const counter = (readings: Array<[number, number]>) => ({
    ...energy(readings, { kind: 'counter', input: 'rawCount' }),
    property: 'total',
  });
  await apply([
    counter([
      [10, 950],
      [20, 30],
      [30, 45],
    ]),
  ]);
  expect(twin()).toMatchObject({ total: 5000 + 50 + 30 + 15, rawCount: 45 });
});

it('the worked example of CONFIGURATION.md ("Stateful transforms"): a late reading in the batch, then out of order, redelivered, after a gap', async () => {
  // Seconds after 08:00:00 stand for the example's times; power in kW (the unit step ran while mapping).
  const { apply, twin } = setup(storedMeter(2, 0, 10));
  await apply([
    energy([
      [60, 4],
      [30, 1],
    ]),
  ]);
  expect(twin().energy).toBeCloseTo(10 + (1.5 * 30 + 2.5 * 30) / 3600, 12);
  expect(twin().energy).toBeCloseTo(10.0333333333, 9);
  const late = await apply([
    energy([
      [45, 3],
      [60, 4],
    ]),
  ]);
  expect(late.skippedReadings).toEqual([
    { eventKey: 'e45', reason: 'reading-out-of-order' },
    { eventKey: 'e60', reason: 'reading-already-folded' },
  ]);
  await apply([energy([[1200, 5]])]);
  expect(twin().energy).toBeCloseTo(10.0333333333, 9);
  expect(twin()).toMatchObject({ power: 5, $metadata: { power: { sourceTime: at(1200) } } });
});

it('a stored input sourceTime from a clock far ahead is no previous sample: the total is kept and the reading starts a new segment', async () => {
  // The writer's clock is 86,400 s after 00:00; a stored reading at 200,000 s is beyond maxClockSkew.
  const { apply, twin } = setup(storedMeter(9, 200_000, 42));
  const result = await apply([energy([[86_000, 3]])]);
  expect(result.skippedReadings).toBeUndefined();
  expect(twin()).toMatchObject({ energy: 42, power: 3, $metadata: { power: { sourceTime: at(86_000) } } });
  await apply([energy([[86_060, 5]])]);
  expect(twin().energy).toBeCloseTo(42 + (4 * 60) / 3600, 12);
});

it('when ADT refuses a patch, a total and its input are isolated together: never one without the other', async () => {
  const { port, apply, twin } = setup(storedMeter(2, 0, 10));
  // The fake refuses a non-number at /temperature: the plain value is the culprit, isolated alone.
  const plain: PropertyUpdate = {
    twinId: 'meter-1',
    property: 'temperature',
    value: 'warm',
    sourceTime: at(60),
    eventKeys: ['t'],
    rule: 'r',
  };
  const result = await apply([energy([[60, 4]]), plain]);
  expect(result.rejected.map((r) => r.update.property)).toEqual(['temperature']);
  expect(twin().energy).toBeCloseTo(10 + 0.05, 12);
  expect(twin().power).toBe(4);
  // One refused combined patch, one for the pair, one for the culprit.
  const patches = port.calls
    .filter((c) => c.method === 'updateTwin')
    .map((c) => c.patch?.filter((op) => !op.path.includes('$metadata')).map((op) => op.path));
  expect(patches).toEqual([['/energy', '/power', '/temperature'], ['/energy', '/power'], ['/temperature']]);
});
