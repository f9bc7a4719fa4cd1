// Which twins of a batch are written now when the write window is full: most changed first (against
// the gateway's copy), then the largest relative move, then the freshest; the rest are deferred.
import type { Twin } from '../../../../shared/adt';
import { byValue, chooseWriteNow } from '../../../../shared/ingest/defer';
import type { TwinUpdate } from '../../../../shared/ingest/message';

const update = (twinId: string, values: Record<string, unknown>, sourceTime = '2024-01-01T00:00:00Z'): TwinUpdate => ({
  twinId,
  ifMissing: { policy: 'deadLetter' },
  updates: Object.entries(values).map(([property, value]) => ({
    twinId,
    property,
    value,
    sourceTime,
    eventKeys: [`${twinId}-${property}`],
    rule: '(model)',
  })),
});
const stored: Record<string, Twin> = {
  same: { $dtId: 'same', $metadata: { $model: 'm' }, temperature: 20, humidity: 40 } as Twin,
  small: { $dtId: 'small', $metadata: { $model: 'm' }, temperature: 20, humidity: 40 } as Twin,
  large: { $dtId: 'large', $metadata: { $model: 'm' }, temperature: 20, humidity: 40 } as Twin,
  two: { $dtId: 'two', $metadata: { $model: 'm' }, temperature: 20, humidity: 40 } as Twin,
};
const storedOf = (id: string) => stored[id];

it('orders by changed properties, then relative magnitude, then freshness; unknown twins count every value as changed', () => {
  const ordered = byValue(
    [
      update('same', { temperature: 20, humidity: 40 }),
      update('small', { temperature: 20.1 }),
      update('large', { temperature: 30 }),
      update('two', { temperature: 21, humidity: 41 }),
      update('unknown-old', { temperature: 1 }, '2024-01-01T00:00:01Z'),
      update('unknown-new', { temperature: 1 }, '2024-01-01T00:00:02Z'),
    ],
    storedOf,
  );
  expect(ordered.map((u) => u.twinId)).toEqual(['two', 'unknown-new', 'unknown-old', 'large', 'small', 'same']);
});

it('writes everything when it fits, else the most valuable up to the capacity and defers the rest', () => {
  const updates = [update('same', { temperature: 20 }), update('large', { temperature: 30 }), update('small', { temperature: 20.1 })];
  expect(chooseWriteNow(updates, 3, storedOf)).toEqual({ now: updates, later: [] });
  const split = chooseWriteNow(updates, 1, storedOf);
  expect([split.now.map((u) => u.twinId), split.later.map((u) => u.twinId)]).toEqual([['large'], ['small', 'same']]);
  expect(chooseWriteNow(updates, 0, storedOf).later).toHaveLength(3);
});
