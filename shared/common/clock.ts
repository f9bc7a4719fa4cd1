// Time is injected everywhere (retries, budgets, deadlines, cache expiry) so tests run on a fake clock
// without real waiting. One abstraction for the whole core: never a bare `Date.now` parameter.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
