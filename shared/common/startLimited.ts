// Starts `work` for each item with at most `limit` running at once, in item order, and hands back one
// promise per item straight away, so a caller can chain on an item (e.g. a twin's telemetry after its
// update) before that item has even started.

export function startLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Array<Promise<R>> {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`A concurrency limit must be a positive integer, got ${limit}.`);
  const settle: Array<{ resolve: (value: R) => void; reject: (reason: unknown) => void }> = [];
  const promises = items.map(
    () =>
      new Promise<R>((resolve, reject) => {
        settle.push({ resolve, reject });
      }),
  );
  let next = 0;
  let active = 0;
  const launch = (): void => {
    while (active < limit && next < items.length) {
      const index = next++;
      active += 1;
      const handlers = settle[index] as (typeof settle)[number];
      // A synchronous throw in `work` becomes that item's rejection, never the caller's.
      Promise.resolve()
        .then(() => work(items[index] as T))
        .then(handlers.resolve, handlers.reject)
        .finally(() => {
          active -= 1;
          launch();
        });
    }
  };
  launch();
  return promises;
}
