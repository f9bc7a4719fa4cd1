// Values that are usually ready now and only sometimes need a wait: a mapping step answered from a
// cache, a transform without a JSONata expression. Awaiting a ready value still costs a promise and a
// microtask turn per step, which at 10,000 messages a second is most of the CPU a message takes; so
// these helpers run the next step at once when the value is ready and chain on it only when not.

export type Awaitable<T> = T | Promise<T>;

export function isPromise<T>(value: Awaitable<T>): value is Promise<T> {
  return value instanceof Promise;
}

/** `next(value)`, now when `value` is ready, else once it resolves. */
export function then<T, R>(value: Awaitable<T>, next: (value: T) => Awaitable<R>): Awaitable<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Runs `step` for each item in order, one after the other: synchronously while every step is. */
export function forEachInOrder<T>(items: readonly T[], step: (item: T) => Awaitable<void>, from = 0): Awaitable<void> {
  for (let index = from; index < items.length; index++) {
    const pending = step(items[index] as T);
    if (pending instanceof Promise) return pending.then(() => forEachInOrder(items, step, index + 1));
  }
  return undefined;
}
