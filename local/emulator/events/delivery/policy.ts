// Retry policy shared by every endpoint kind: exponential backoff, then dead-letter.
import type { Notification } from '../../types';

export interface DeliveryPolicy {
  /** Attempts in total, the first included; after the last failure the event is dead-lettered. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** Short defaults suit a local loop; Event Grid's real policy (30 attempts over 24 h) is configurable per endpoint. */
export const defaultDeliveryPolicy: DeliveryPolicy = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 };

/** Delay before attempt `failedAttempt + 1`: initial, 2×initial, 4×initial … capped at maxDelayMs. */
export function backoffDelay(policy: DeliveryPolicy, failedAttempt: number): number {
  return Math.min(policy.initialDelayMs * 2 ** (failedAttempt - 1), policy.maxDelayMs);
}

export interface DeadLetter {
  endpointName: string;
  notification: Notification;
  attempts: number;
  /** The error of the last attempt, e.g. `HTTP 500 from http://…` or the handler's message. */
  lastError: string;
  deadLetteredAt: string;
}

export interface EndpointStats {
  enqueued: number;
  delivered: number;
  failedAttempts: number;
  deadLettered: number;
  /** Discarded without an attempt: subscriber endpoint with no handler, or endpoint removed/closed. */
  dropped: number;
  /** Waiting or in flight right now. */
  pending: number;
}
