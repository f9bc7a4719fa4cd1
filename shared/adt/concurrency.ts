// Bounded concurrency with at most one operation in flight per key (twin id). ADT applies the
// requests for one twin one after the other anyway; keeping them serial on our side also means a
// retry can never overtake a later write to the same twin.

export class KeyedLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly maxConcurrency: number) {
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
      throw new Error(`maxConcurrency must be a positive integer, got ${maxConcurrency}. Check ADT_MAX_CONCURRENCY.`);
    }
  }

  /** Runs `task` after every earlier task for the same key has finished and a slot is free. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(() => this.withSlot(task));
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  private async withSlot<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so a newcomer cannot slip in between.
    if (this.active >= this.maxConcurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
