// Values that are usually ready now and only sometimes need a wait: a mapping step answered from a
// cache, a transform without a JSONata expression. Awaiting a ready value still costs a promise and a
// microtask turn per step, which at 10,000 messages a second is most of the CPU a message takes; so
// mapping runs the next step at once when a value is ready (isPromise false) and chains on it only
// when not, in loops that resume at an index instead of closures.

export type Awaitable<T> = T | Promise<T>;

export function isPromise<T>(value: Awaitable<T>): value is Promise<T> {
  return value instanceof Promise;
}
