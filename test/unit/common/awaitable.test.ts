import { forEachInOrder, isPromise, then } from '../../../shared/common';

it('runs the next step at once when the value is ready, and on resolution when it is not', async () => {
  const order: string[] = [];
  const ready = then(2, (n) => n * 3);
  expect(ready).toBe(6);
  const later = then(Promise.resolve(2), (n) => n * 3);
  expect(isPromise(later)).toBe(true);
  expect(await later).toBe(6);
  const steps = forEachInOrder([1, 2, 3, 4], (n) => {
    order.push(`start ${n}`);
    if (n === 2) return new Promise<void>((resolve) => setTimeout(() => (order.push('waited 2'), resolve()), 5));
    return undefined;
  });
  // Items before the first wait ran synchronously; the rest run after it, still in order.
  expect(order).toEqual(['start 1', 'start 2']);
  await steps;
  expect(order).toEqual(['start 1', 'start 2', 'waited 2', 'start 3', 'start 4']);
  expect(forEachInOrder([1, 2], () => undefined)).toBeUndefined();
});
