// Write only what matters (issue 25 item 1): the decision alone, then through the twin writer, where
// it reads the twin copy's stored value and sourceTime and reports what it suppressed and why.
import { AdtGateway, type CallContext } from '../../../../shared/adt/gateway';
import { emptyCallStats } from '../../../../shared/adt/retry';
import { compileIngest } from '../../../../shared/ingest/config/compileIngest';
import type { PropertyUpdate } from '../../../../shared/ingest/message/propertyUpdate';
import type { TwinUpdate } from '../../../../shared/ingest/message/twinUpdate';
import { decideWrite, sameJson, type SignificanceOf, significanceResolver } from '../../../../shared/ingest/write/significance';
import { writeTwinUpdate } from '../../../../shared/ingest/write/twinWriter';
import { FakeClock, FakePort } from '../../adt/fakes';

const t = (s: number): string => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
const reading = (value: unknown, second: number) => ({ value, sourceTime: t(second) });
const stored = (value: unknown, second?: number) => ({ known: true, value, ...(second !== undefined && { sourceTime: t(second) }) });

describe('decideWrite', () => {
  it('suppresses an equal value with zero configuration, and writes a different one', () => {
    expect(decideWrite(reading(21.5, 20), stored(21.5, 10))).toEqual({ write: false, reason: 'unchanged' });
    expect(decideWrite(reading('on', 20), stored('on', 10))).toEqual({ write: false, reason: 'unchanged' });
    expect(decideWrite(reading(21.51, 20), stored(21.5, 10))).toEqual({ write: true, heartbeat: false });
    expect(decideWrite(reading(false, 20), stored(0, 10))).toEqual({ write: true, heartbeat: false });
  });

  it('compares objects deeply (key order ignored), arrays in order', () => {
    expect(decideWrite(reading({ a: 1, b: { c: [1, 2] } }, 20), stored({ b: { c: [1, 2] }, a: 1 }, 10))).toEqual({
      write: false,
      reason: 'unchanged',
    });
    expect(decideWrite(reading({ a: 1, b: { c: [2, 1] } }, 20), stored({ a: 1, b: { c: [1, 2] } }, 10)).write).toBe(true);
    expect(decideWrite(reading({ a: 1 }, 20), stored({ a: 1, b: 2 }, 10)).write).toBe(true);
    expect(sameJson([1, { x: null }], [1, { x: null }])).toBe(true);
    expect(sameJson({ x: undefined }, { y: undefined })).toBe(false);
  });

  it('absolute deadband: within it (inclusive) suppressed, beyond it written; the stored value is the reference', () => {
    const significance = { deadband: { absolute: 0.1 } };
    expect(decideWrite(reading(20.05, 20), stored(20, 10), significance)).toEqual({ write: false, reason: 'within-deadband' });
    expect(decideWrite(reading(19.9, 20), stored(20, 10), significance)).toEqual({ write: false, reason: 'within-deadband' });
    expect(decideWrite(reading(20.11, 20), stored(20, 10), significance)).toEqual({ write: true, heartbeat: false });
    expect(decideWrite(reading('20.05', 20), stored(20, 10), significance).write).toBe(true);
  });

  it('relative deadband scales with |stored|; with both, the larger band applies', () => {
    const relative = { deadband: { relative: 0.01 } };
    expect(decideWrite(reading(1005, 20), stored(1000, 10), relative)).toEqual({ write: false, reason: 'within-deadband' });
    expect(decideWrite(reading(1011, 20), stored(1000, 10), relative).write).toBe(true);
    expect(decideWrite(reading(-0.005, 20), stored(0, 10), relative).write).toBe(true);
    const both = { deadband: { absolute: 0.5, relative: 0.01 } };
    expect(decideWrite(reading(0.4, 20), stored(0, 10), both)).toEqual({ write: false, reason: 'within-deadband' });
    expect(decideWrite(reading(1009, 20), stored(1000, 10), both)).toEqual({ write: false, reason: 'within-deadband' });
    expect(decideWrite(reading(1011, 20), stored(1000, 10), both).write).toBe(true);
  });

  it('maxAge: an unchanged value is written as a heartbeat once the stored sourceTime is more than maxAge older than the reading', () => {
    const significance = { deadband: { absolute: 0.1 }, maxAgeMs: 60_000 };
    expect(decideWrite(reading(20, 70), stored(20, 10), significance)).toEqual({ write: false, reason: 'unchanged' });
    expect(decideWrite(reading(20, 71), stored(20, 10), significance)).toEqual({ write: true, heartbeat: true });
    expect(decideWrite(reading(20.05, 80), stored(20, 10), significance)).toEqual({ write: true, heartbeat: true });
    // No stored sourceTime (emitSourceTime off): nothing proves the value is recent.
    expect(decideWrite(reading(20, 11), stored(20), significance)).toEqual({ write: true, heartbeat: true });
    expect(decideWrite(reading(20, 11), stored(20))).toEqual({ write: false, reason: 'unchanged' });
  });

  it('writes when the copy does not hold the value (a new property, a dropped guard-copy value)', () => {
    expect(decideWrite(reading(20, 20), { known: false })).toEqual({ write: true, heartbeat: false });
  });
});

describe('significanceResolver', () => {
  it("uses a rule property mapping's deadband and maxAge over ingest.options'", () => {
    const { ingest, issues } = compileIngest({
      options: { deadband: { absolute: 1 }, maxAgeSeconds: 600 },
      rules: [
        {
          name: 'room',
          properties: [
            { target: 'temperature', deadband: { absolute: 0.1 }, maxAgeSeconds: 120 },
            { target: 'humidity', maxAgeSeconds: 30 },
            { target: 'co2' },
          ],
        },
      ],
    });
    expect(issues).toEqual([]);
    const of = significanceResolver(ingest);
    expect(of({ rule: 'room', property: 'temperature' })).toEqual({ deadband: { absolute: 0.1 }, maxAgeMs: 120_000 });
    expect(of({ rule: 'room', property: 'humidity' })).toEqual({ deadband: { absolute: 1 }, maxAgeMs: 30_000 });
    expect(of({ rule: 'room', property: 'co2' })).toEqual({ deadband: { absolute: 1 }, maxAgeMs: 600_000 });
    expect(of({ rule: '(model)', property: 'temperature' })).toEqual({ deadband: { absolute: 1 }, maxAgeMs: 600_000 });
  });

  it('has no deadband and no heartbeat by default', () => {
    expect(significanceResolver(compileIngest({}).ingest)({ rule: '(model)', property: 'x' })).toEqual({});
  });
});

describe('the twin writer with deadbands', () => {
  const upd = (property: string, value: unknown, second: number, ids = [`m${second}`]): PropertyUpdate => ({
    twinId: 'room-1',
    property,
    value,
    sourceTime: t(second),
    eventKeys: ids,
    rule: 'r',
  });

  function setup(significance?: SignificanceOf) {
    const clock = new FakeClock();
    const port = new FakePort();
    const gateway = new AdtGateway({ port, clock });
    const ctx = (): CallContext => ({ deadline: clock.now() + 60_000, stats: emptyCallStats() });
    const apply = (updates: PropertyUpdate[], ifMissing: TwinUpdate['ifMissing'] = { policy: 'deadLetter' }) =>
      writeTwinUpdate({ twinId: 'room-1', updates, ifMissing }, gateway, ctx(), {
        emitSourceTime: true,
        maxClockSkewMs: 300_000,
        now: Date.now,
        ...(significance && { significance }),
      });
    return { port, gateway, apply };
  }

  it('patches only the values worth writing; the suppressed keep their stored sourceTime', async () => {
    const { port, gateway, apply } = setup(() => ({ deadband: { absolute: 0.1 }, maxAgeMs: 120_000 }));
    port.addTwin('room-1');
    await apply([upd('temperature', 21, 10), upd('humidity', 40, 10)]);
    const second = await apply([upd('temperature', 21.05, 20), upd('humidity', 41, 20)]);
    expect(second.suppressed).toEqual([{ update: expect.objectContaining({ property: 'temperature' }), reason: 'within-deadband' }]);
    expect(port.calls.filter((c) => c.method === 'updateTwin').at(-1)?.patch).toEqual([
      { op: 'add', path: '/humidity', value: 41 },
      { op: 'add', path: '/$metadata/humidity/sourceTime', value: t(20) },
    ]);
    const third = await apply([upd('temperature', 21, 30), upd('humidity', 41, 30)]);
    expect(third.suppressed?.map((s) => s.reason)).toEqual(['unchanged', 'unchanged']);
    expect(third.patches).toBe(0);
    expect(port.count('updateTwin')).toBe(2);
    const stored = port.twins.get('room-1');
    expect(stored).toMatchObject({
      temperature: 21,
      humidity: 41,
      $metadata: { temperature: { sourceTime: t(10) }, humidity: { sourceTime: t(20) } },
    });
    expect(gateway.cachedTwin('room-1')?.twin).toMatchObject({ temperature: 21, humidity: 41 });
  });

  it('writes a heartbeat when the stored sourceTime is more than maxAge older, and counts it', async () => {
    const { port, apply } = setup(() => ({ deadband: { absolute: 0.1 }, maxAgeMs: 120_000 }));
    port.addTwin('room-1');
    await apply([upd('temperature', 21, 10)]);
    expect((await apply([upd('temperature', 21, 130)])).patches).toBe(0);
    const beat = await apply([upd('temperature', 21.02, 131)]);
    expect(beat).toMatchObject({ patches: 1, heartbeats: 1 });
    expect(port.twins.get('room-1')).toMatchObject({ temperature: 21.02, $metadata: { temperature: { sourceTime: t(131) } } });
  });

  it('counts a reading the twin already holds exactly (value and sourceTime: a redelivery) as applied, without a PATCH', async () => {
    const { port, apply } = setup();
    port.addTwin('room-1');
    await apply([upd('temperature', 21, 10)]);
    const again = await apply([upd('temperature', 21, 10)]);
    expect(again).toMatchObject({ patches: 0, stale: [], rejected: [] });
    expect(again.applied.map((u) => u.property)).toEqual(['temperature']);
    expect(again.suppressed).toBeUndefined();
    expect(port.count('updateTwin')).toBe(1);
  });

  it('keeps the out-of-order guard first: an older reading is stale, not suppressed', async () => {
    const { port, apply } = setup();
    port.addTwin('room-1');
    await apply([upd('temperature', 21, 10)]);
    const late = await apply([upd('temperature', 21, 5), upd('humidity', 40, 5)]);
    expect(late.stale.map((u) => u.property)).toEqual(['temperature']);
    expect(late.suppressed).toBeUndefined();
    expect(late.applied.map((u) => u.property)).toEqual(['humidity']);
  });

  it("writes the first value of a new twin, and suppresses a reading equal to a created twin's initial value", async () => {
    const { port, apply } = setup();
    const created = await apply([upd('temperature', 21, 10), upd('humidity', 40, 10)], {
      policy: 'create',
      modelId: 'dtmi:test:Room;1',
      properties: { humidity: 40 },
    });
    expect(created.created).toBe(true);
    expect(created.applied.map((u) => u.property)).toEqual(['temperature']);
    expect(created.suppressed).toEqual([{ update: expect.objectContaining({ property: 'humidity' }), reason: 'unchanged' }]);
    expect(port.twins.get('room-1')).toMatchObject({ temperature: 21, humidity: 40 });
  });
});
