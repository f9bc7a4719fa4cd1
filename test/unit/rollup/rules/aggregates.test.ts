import type { ChildSample } from '../../../../shared/rollup';
import { aggregate } from '../../../../shared/rollup';

const s = (twinId: string, value: unknown, time?: string): ChildSample => ({
  twinId,
  value,
  time,
  ...(time !== undefined && { sourceTime: time }),
});
/** A child whose property has only a lastUpdateTime (set by hand, no source time). */
const unstamped = (twinId: string, value: unknown, lastUpdateTime: string): ChildSample => ({ twinId, value, time: lastUpdateTime });
const temps = [
  s('a', 20, '2024-01-01T00:00:01Z'),
  s('b', 23, '2024-01-01T00:00:03Z'),
  s('c', 'n/a', '2024-01-01T00:00:09Z'),
  s('d', undefined),
];

describe('aggregate', () => {
  it.each([
    ['avg', 21.5],
    ['sum', 43],
    ['min', 20],
    ['max', 23],
  ] as const)('%s uses numeric values only, stamped with the newest contributing time', (name, expected) => {
    expect(aggregate(name, temps)).toMatchObject({ value: expected, time: '2024-01-01T00:00:03Z' });
  });

  it('count counts children with the property, or all children without "of"', () => {
    expect(aggregate('count', temps).value).toBe(3);
    expect(aggregate('count', temps, true).value).toBe(4);
    expect(aggregate('count', []).value).toBe(0);
  });

  it('any / all over booleans', () => {
    const flags = [s('a', true), s('b', false), s('c', 1)];
    expect(aggregate('any', flags).value).toBe(true);
    expect(aggregate('all', flags).value).toBe(false);
    expect(aggregate('all', [s('a', true)]).value).toBe(true);
  });

  it('latest picks the newest sourceTime, whatever the type; copy does the same for one child', () => {
    expect(aggregate('latest', temps)).toMatchObject({ value: 'n/a', time: '2024-01-01T00:00:09Z' });
    expect(aggregate('copy', [s('only', { mode: 'eco' }, '2024-01-01T00:00:00Z')]).value).toEqual({ mode: 'eco' });
  });

  it('orders latest by lastUpdateTime when there is no sourceTime, but never stamps a wall-clock time', () => {
    const mixed = [s('a', 1, '2024-01-01T00:00:01Z'), unstamped('b', 2, '2024-01-01T00:00:05Z')];
    expect(aggregate('latest', mixed)).toMatchObject({ value: 2, time: undefined });
    expect(aggregate('max', mixed)).toMatchObject({ value: 2, time: '2024-01-01T00:00:01Z' });
    expect(aggregate('count', [unstamped('b', 2, '2024-01-01T00:00:05Z')])).toMatchObject({ value: 1, time: undefined });
  });

  it('latest breaks ties by twin id so every instance agrees', () => {
    expect(aggregate('latest', [s('b', 2, '2024-01-01T00:00:00Z'), s('a', 1, '2024-01-01T00:00:00Z')]).value).toBe(1);
  });

  it('yields no value when nothing contributes', () => {
    for (const name of ['avg', 'min', 'max', 'sum', 'any', 'all', 'latest', 'copy'] as const) {
      expect(aggregate(name, [s('x', undefined)]).value).toBeUndefined();
    }
  });

  it('avg of many readings does not drift with summation order', () => {
    const many = Array.from({ length: 1000 }, (_, i) => s(`t${i}`, 0.1));
    expect(aggregate('avg', many).value).toBe(0.1);
  });
});

it('gives the same bits whatever order the children come in (instances list them differently)', () => {
  // Kahan summation in input order gives 0.33999999999999997 for some orders and 0.34 for others.
  const values = [0.1, 0.2, 0.3, 0.4, 0.7];
  const orders = [values, [...values].reverse(), [0.7, 0.1, 0.4, 0.2, 0.3], [0.3, 0.7, 0.2, 0.1, 0.4]];
  const averages = orders.map(
    (order) =>
      aggregate(
        'avg',
        order.map((value, i) => s(`c${i}`, value)),
        {},
      ).value,
  );
  const sums = orders.map(
    (order) =>
      aggregate(
        'sum',
        order.map((value, i) => s(`c${i}`, value)),
        {},
      ).value,
  );
  expect(new Set(averages).size).toBe(1);
  expect(new Set(sums).size).toBe(1);
});
