// The gateway's own retry loop. The SDK client is built so it makes one attempt per call
// (see sdkClient.ts); every wait, count and deadline decision is made here.

import type { Clock } from '../common';
import { AdtDeadlineExceededError, AdtRequestError, isRetriable } from './errors';

export interface RetryPolicy {
  /** First backoff step for 5xx/timeouts; doubles per attempt, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts in total, including the first. */
  maxAttempts: number;
  /** Upper bound for one HTTP request; shortened to what is left before the deadline. */
  requestTimeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 250, maxDelayMs: 15_000, maxAttempts: 10, requestTimeoutMs: 20_000 };

/** Counters a batch summary reports. Mutated in place by every call of the batch. */
export interface CallStats {
  requests: number;
  retries: number;
  /** 429 responses seen (each one, retried or not). */
  throttled: number;
  /** Query pages received and their `query-charge` summed (Query Units); set by the first query page. */
  queryPages?: number;
  queryUnits?: number;
}

/** Counts one query page and its charge into `stats` (Query Units kept to ADT's two decimals). */
export function countQueryPage(stats: CallStats, queryCharge: number | undefined): void {
  stats.queryPages = (stats.queryPages ?? 0) + 1;
  stats.queryUnits = Math.round(((stats.queryUnits ?? 0) + (queryCharge ?? 0)) * 100) / 100;
}

export function emptyCallStats(): CallStats {
  return { requests: 0, retries: 0, throttled: 0 };
}

export interface RetryContext {
  clock: Clock;
  policy: RetryPolicy;
  /** Absolute time (ms) after which no new attempt starts. */
  deadline: number;
  stats: CallStats;
  /** Waits for a rate-budget token; called before every attempt since each attempt is a request. */
  acquire: () => Promise<unknown>;
  /** Told about every 429, so the budget slows down and honours Retry-After for all its callers. */
  onThrottled?: (retryAfterMs: number | undefined) => void;
  random?: () => number;
}

/**
 * Sends until success, a failure retrying cannot fix (rethrown as is), or the deadline
 * (AdtDeadlineExceededError). 429/503 wait for Retry-After when the service gives one.
 */
export async function callWithRetry<T>(operation: string, send: (timeoutMs: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  const random = ctx.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    await ctx.acquire();
    const remaining = ctx.deadline - ctx.clock.now();
    if (remaining <= 0 && attempt > 1) throw deadlineError(operation, attempt - 1, undefined);
    ctx.stats.requests += 1;
    try {
      return await send(Math.max(1, Math.min(ctx.policy.requestTimeoutMs, remaining)));
    } catch (error) {
      if (!(error instanceof AdtRequestError)) throw error;
      if (error.status === 429) {
        ctx.stats.throttled += 1;
        ctx.onThrottled?.(error.retryAfterMs);
      }
      if (!isRetriable(error)) throw error;
      const delay = error.retryAfterMs && error.retryAfterMs > 0 ? error.retryAfterMs : backoff(attempt, ctx.policy, random);
      if (attempt >= ctx.policy.maxAttempts || ctx.clock.now() + delay > ctx.deadline) {
        throw new AdtDeadlineExceededError(operation, error, attempt);
      }
      ctx.stats.retries += 1;
      await ctx.clock.sleep(delay);
    }
  }
}

function deadlineError(operation: string, attempts: number, last: AdtRequestError | undefined): AdtDeadlineExceededError {
  return new AdtDeadlineExceededError(
    operation,
    last ?? new AdtRequestError('deadline reached before sending', undefined, undefined),
    attempts,
  );
}

/** Exponential backoff with jitter in [50%, 100%] of the step, so retries of many twins spread out. */
export function backoff(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step * (0.5 + random() * 0.5));
}
