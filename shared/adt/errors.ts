// One error type for everything the gateway's callers see, whatever transport produced it.

export type AdtFailureKind =
  /** 429, or 503 (service busy): wait (Retry-After when given) and try again. */
  | 'throttled'
  /** 408, other 5xx, timeouts, socket errors: try again with backoff. */
  | 'transient'
  /** 404 DigitalTwinNotFound. */
  | 'twinNotFound'
  /** 400 JsonPatchInvalid because a parent (component or object property) does not exist. */
  | 'unresolvablePath'
  /** 400 ValidationFailed: the twin's model rejects the patch. */
  | 'validationFailed'
  /** 412: If-Match / If-None-Match did not hold. */
  | 'preconditionFailed'
  /** Anything else: retrying will not help. */
  | 'permanent';

/** An ADT call that failed; `status` is undefined when no HTTP response arrived. */
export class AdtRequestError extends Error {
  readonly kind: AdtFailureKind;

  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: string | undefined,
    /** Delay the service asked for (Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AdtRequestError';
    this.kind = classify(status, code, message);
  }
}

/**
 * The one "would trying again help?" decision, used by every retry site (the gateway's retry loop,
 * ingest look-ups and writes, propagation). Only throttling and transient transport/service failures
 * qualify; anything else (including a bug's plain Error) is permanent for this attempt.
 */
export function isRetriable(error: unknown): boolean {
  return error instanceof AdtRequestError && (error.kind === 'throttled' || error.kind === 'transient');
}

/** Thrown when transient failures outlast the batch deadline: the invocation must fail so the batch is redelivered. */
export class AdtDeadlineExceededError extends Error {
  constructor(
    readonly operation: string,
    readonly lastError: AdtRequestError,
    readonly attempts: number,
  ) {
    super(
      `${operation} still failing after ${attempts} attempt(s) when the batch deadline was reached (last: ${lastError.status ?? 'no response'} ${lastError.code ?? ''} ${lastError.message}). The batch will be redelivered; if this persists, check ADT health and throttling, or raise INGEST_DEADLINE_SECONDS within the function timeout.`,
    );
    this.name = 'AdtDeadlineExceededError';
  }
}

const unresolvable = /could not resolve path|target location specified by path segment|does not exist on component/i;

function classify(status: number | undefined, code: string | undefined, message: string): AdtFailureKind {
  if (status === undefined || status === 408) return 'transient';
  if (status === 429 || status === 503) return 'throttled';
  if (status >= 500) return status === 501 || status === 505 ? 'permanent' : 'transient';
  if (status === 404 && code === 'DigitalTwinNotFound') return 'twinNotFound';
  if (status === 412) return 'preconditionFailed';
  if (status === 400 && code === 'JsonPatchInvalid' && unresolvable.test(message)) return 'unresolvablePath';
  if (status === 400 && code === 'ValidationFailed') return 'validationFailed';
  return 'permanent';
}

/** Parses a Retry-After value (delta-seconds, fractions allowed, or an HTTP date) into ms. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
