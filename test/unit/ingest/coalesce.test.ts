import { coalesce } from '../../../shared/ingest/coalesce';
import { BatchLedger } from '../../../shared/ingest/ledger';
import type { PropertyUpdate } from '../../../shared/ingest/mappingResult';

const update = (property: string, value: unknown, sourceTime: string, seq: number, extra: Partial<PropertyUpdate> = {}): PropertyUpdate => ({
  twinId: 't1', property, value, sourceTime, sequenceNumber: seq, eventKey: `seq:${seq}`, rule: 'r', ...extra,
});

describe('coalesce', () => {
  it('keeps the newest value per property, even when it arrived first, and counts the rest', () => {
    const result = coalesce([
      update('temp', 22, '2024-01-01T00:00:02Z', 1),
      update('temp', 21, '2024-01-01T00:00:01Z', 2),
      update('hum', 40, '2024-01-01T00:00:01Z', 3),
      update('target', 20, '2024-01-01T00:00:01Z', 4, { component: 'thermostat1' }),
      update('temp', 5, '2024-01-01T00:00:00Z', 5, { twinId: 't2' }),
    ]);
    expect(result.counts).toEqual({ input: 5, applied: 4, coalesced: 1, stale: 0 });
    expect(result.patches.map((p) => p.twinId)).toEqual(['t1', 't2']);
    expect(result.patches[0]?.operations).toEqual([
      { op: 'add', path: '/temp', value: 22 },
      { op: 'add', path: '/$metadata/temp/sourceTime', value: '2024-01-01T00:00:02Z' },
      { op: 'add', path: '/hum', value: 40 },
      { op: 'add', path: '/$metadata/hum/sourceTime', value: '2024-01-01T00:00:01Z' },
      { op: 'add', path: '/thermostat1/target', value: 20 },
      { op: 'add', path: '/thermostat1/$metadata/target/sourceTime', value: '2024-01-01T00:00:01Z' },
    ]);
    expect(result.patches[0]?.coalesced.map((u) => u.eventKey)).toEqual(['seq:2']);
  });

  it('breaks sourceTime ties by the later sequence number and orders sub-millisecond times', () => {
    const tie = coalesce([update('a', 'later', '2024-01-01T00:00:00Z', 9), update('a', 'earlier', '2024-01-01T00:00:00Z', 3)]);
    expect(tie.patches[0]?.applied.map((u) => u.value)).toEqual(['later']);
    const fine = coalesce([update('a', 'newer', '2024-01-01T00:00:00.0000002Z', 1), update('a', 'older', '2024-01-01T00:00:00.0000001Z', 2)]);
    expect(fine.patches[0]?.applied.map((u) => u.value)).toEqual(['newer']);
  });

  it('skips values older than the stored sourceTime as stale', () => {
    const stored: Record<string, string> = { 't1//a': '2024-01-01T00:00:05Z', 't1/c1/b': '2024-01-01T00:00:00Z' };
    const result = coalesce(
      [update('a', 1, '2024-01-01T00:00:03Z', 1), update('a', 2, '2024-01-01T00:00:04Z', 2), update('b', 3, '2024-01-01T00:00:01Z', 3, { component: 'c1' })],
      { knownSourceTimes: (twin, component, property) => stored[`${twin}/${component ?? ''}/${property}`] },
    );
    expect(result.counts).toEqual({ input: 3, applied: 1, coalesced: 0, stale: 2 });
    expect(result.patches[0]?.operations.map((o) => o.path)).toEqual(['/c1/b', '/c1/$metadata/b/sourceTime']);
    expect(result.patches[0]?.stale.map((u) => u.value).sort()).toEqual([1, 2]);
    const allStale = coalesce([update('a', 1, '2024-01-01T00:00:03Z', 1)], { knownSourceTimes: () => '2024-02-01T00:00:00Z' });
    expect(allStale.patches).toEqual([]);
    expect(allStale.staleOnly).toHaveLength(1);
  });

  it('omits sourceTime operations when disabled', () => {
    expect(coalesce([update('a', 1, '2024-01-01T00:00:00Z', 1)], { emitSourceTime: false }).patches[0]?.operations).toEqual([{ op: 'add', path: '/a', value: 1 }]);
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
