import { BatchLedger } from '../../../../shared/ingest/batch/ledger';
import type { PropertyUpdate } from '../../../../shared/ingest/message/propertyUpdate';
import { coalesce } from '../../../../shared/ingest/plan/coalesce';
import { buildPatch } from '../../../../shared/ingest/write/patchBuilder';

const update = (
  property: string,
  value: unknown,
  sourceTime: string,
  seq: number,
  extra: Partial<PropertyUpdate> = {},
): PropertyUpdate => ({
  twinId: 't1',
  property,
  value,
  sourceTime,
  sequenceNumber: seq,
  eventKeys: [`seq:${seq}`],
  rule: 'r',
  ...extra,
});

describe('coalesce', () => {
  it('keeps the newest value per property, even when it arrived first, and carries the superseded event keys', () => {
    const result = coalesce([
      update('temp', 22, '2024-01-01T00:00:02Z', 1),
      update('temp', 21, '2024-01-01T00:00:01Z', 2),
      update('hum', 40, '2024-01-01T00:00:01Z', 3),
      update('target', 20, '2024-01-01T00:00:01Z', 4, { component: 'thermostat1' }),
      update('temp', 5, '2024-01-01T00:00:00Z', 5, { twinId: 't2' }),
    ]);
    expect(result.coalesced).toBe(1);
    expect(result.twins.map((p) => p.twinId)).toEqual(['t1', 't2']);
    expect(result.twins[0]?.updates.map((u) => [u.component ?? '', u.property, u.value, u.eventKeys])).toEqual([
      ['', 'temp', 22, ['seq:1', 'seq:2']],
      ['', 'hum', 40, ['seq:3']],
      ['thermostat1', 'target', 20, ['seq:4']],
    ]);
  });

  it('breaks sourceTime ties by the later sequence number and orders sub-millisecond times', () => {
    const tie = coalesce([update('a', 'later', '2024-01-01T00:00:00Z', 9), update('a', 'earlier', '2024-01-01T00:00:00Z', 3)]);
    expect(tie.twins[0]?.updates.map((u) => u.value)).toEqual(['later']);
    const fine = coalesce([
      update('a', 'newer', '2024-01-01T00:00:00.0000002Z', 1),
      update('a', 'older', '2024-01-01T00:00:00.0000001Z', 2),
    ]);
    expect(fine.twins[0]?.updates.map((u) => u.value)).toEqual(['newer']);
  });

  it('stays linear: 20,000 values of one property cost one pass, every event key kept once', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => update('a', i, `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, i));
    const result = coalesce(many);
    expect(result.coalesced).toBe(19_999);
    expect(new Set(result.twins[0]?.updates[0]?.eventKeys).size).toBe(20_000);
  });
});

describe('buildPatch', () => {
  const twin = { $dtId: 't1', $metadata: { $model: 'dtmi:x:T;1' }, thermostat1: { $metadata: {} } };
  it('writes add operations with one sourceTime per property, and none when emitSourceTime is off', () => {
    const updates = [
      update('temp', 22, '2024-01-01T00:00:02Z', 1),
      update('target', 20, '2024-01-01T00:00:01Z', 4, { component: 'thermostat1' }),
    ];
    expect(buildPatch(twin, updates)).toEqual([
      { op: 'add', path: '/temp', value: 22 },
      { op: 'add', path: '/thermostat1/target', value: 20 },
      { op: 'add', path: '/$metadata/temp/sourceTime', value: '2024-01-01T00:00:02Z' },
      { op: 'add', path: '/thermostat1/$metadata/target/sourceTime', value: '2024-01-01T00:00:01Z' },
    ]);
    expect(buildPatch(twin, updates, { emitSourceTime: false })).toEqual([
      { op: 'add', path: '/temp', value: 22 },
      { op: 'add', path: '/thermostat1/target', value: 20 },
    ]);
  });

  it('escapes ~ and / in names (RFC 6901)', () => {
    expect(buildPatch(twin, [update('a/b~c', 1, '2024-01-01T00:00:00Z', 1)], { emitSourceTime: false })).toEqual([
      { op: 'add', path: '/a~1b~0c', value: 1 },
    ]);
  });
});

describe('BatchLedger', () => {
  it('gives every event exactly one outcome with applied > dead-lettered > filtered', () => {
    const ledger = new BatchLedger([{ eventKey: 'a', messageId: 'm-a' }, { eventKey: 'b' }, { eventKey: 'c' }, { eventKey: 'd' }]);
    ledger.mark('a', 'dead-lettered', 'transform-failed');
    ledger.mark('a', 'applied');
    ledger.mark('b', 'filtered', 'out-of-range');
    ledger.mark('b', 'dead-lettered', 'not-in-model');
    ledger.mark('c', 'filtered', 'no-matching-rule');
    const totals = ledger.close();
    expect(totals).toEqual(expect.objectContaining({ received: 4, applied: 1, deadLettered: 1, filtered: 1, unaccounted: ['d'] }));
    expect(totals.entries).toEqual([
      { eventKey: 'a', messageId: 'm-a', outcome: 'applied', reasons: ['transform-failed'] },
      { eventKey: 'b', outcome: 'dead-lettered', reasons: ['not-in-model'] },
      { eventKey: 'c', outcome: 'filtered', reasons: ['no-matching-rule'] },
    ]);
    expect(() => ledger.mark('zzz', 'applied')).toThrow(/no event zzz/);
    expect(() => new BatchLedger([{ eventKey: 'x' }, { eventKey: 'x' }])).toThrow(/twice/);
  });
});
