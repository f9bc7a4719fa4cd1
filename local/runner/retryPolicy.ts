// The retry policy a function registered (metadata.retryOptions, as @azure/functions hands it to the
// host), turned into "how long before redelivery n". Event Hub triggers redeliver the same batch.

export interface RetryPolicy {
  /** -1 = retry forever (as the host does). */
  maxRetryCount: number;
  delayMs(retry: number): number;
}

export const noRetry: RetryPolicy = { maxRetryCount: 0, delayMs: () => 0 };

function durationMs(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null) {
    const d = value as { hours?: number; minutes?: number; seconds?: number; milliseconds?: number };
    return (d.hours ?? 0) * 3_600_000 + (d.minutes ?? 0) * 60_000 + (d.seconds ?? 0) * 1000 + (d.milliseconds ?? 0);
  }
  if (typeof value === 'string') {
    // "hh:mm:ss" as in function.json
    const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(value);
    if (m) return (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000;
  }
  throw new Error(`Unsupported retry ${field} ${JSON.stringify(value)} in the function's registration.`);
}

export function retryPolicyOf(retryOptions: Record<string, unknown> | undefined): RetryPolicy {
  if (!retryOptions) return noRetry;
  const strategy = String(retryOptions.strategy ?? retryOptions.retryStrategy ?? '');
  const maxRetryCount = Number(retryOptions.maxRetryCount ?? 0);
  if (strategy === 'fixedDelay') {
    const delay = durationMs(retryOptions.delayInterval, 'delayInterval');
    return { maxRetryCount, delayMs: () => delay };
  }
  if (strategy === 'exponentialBackoff') {
    const min = durationMs(retryOptions.minimumInterval, 'minimumInterval');
    const max = durationMs(retryOptions.maximumInterval, 'maximumInterval');
    return { maxRetryCount, delayMs: (retry) => Math.min(max, min * 2 ** Math.max(0, retry - 1)) };
  }
  throw new Error(`Unknown retry strategy "${strategy}" in the function's registration; expected fixedDelay or exponentialBackoff.`);
}

/** Local runs may shorten the waits (tests, --fast-retries); the number of redeliveries stays the policy's. */
export function capDelays(policy: RetryPolicy, maxDelayMs: number | undefined): RetryPolicy {
  if (maxDelayMs === undefined) return policy;
  return { maxRetryCount: policy.maxRetryCount, delayMs: (retry) => Math.min(maxDelayMs, policy.delayMs(retry)) };
}
