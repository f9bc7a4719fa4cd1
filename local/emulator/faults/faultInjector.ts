// Makes the emulator behave like a flaky service: latency, random 500/503s, dropped connections and
// named twins that fail a set number of times. Every random draw comes from one seeded PRNG.
import { type Random, seededRandom } from '../../random';
import type { OperationKind } from '../types';
import { injectedError } from './faultErrors';

export interface TwinFault {
  status: number;
  code?: string;
  /** Fail this many requests touching the twin, then recover; absent = fail always. */
  count?: number;
  /** Only these ops fail (e.g. ['twin.patch']); absent = every op on the twin. */
  ops?: OperationKind[];
}

export interface FaultOptions {
  latencyMs: number;
  /** Uniform extra latency in [0, jitterMs). */
  jitterMs: number;
  /** Share (0..1) of requests answered with one of errorStatuses. */
  errorRate: number;
  errorStatuses: number[];
  /** Retry-After seconds on injected 503s; absent = none (the SDK then uses its exponential policy). */
  retryAfterOn503?: number;
  /** Share (0..1) of requests whose connection is destroyed without a response. */
  resetRate: number;
  /** Share (0..1) of requests delayed by an extra slowMs. */
  slowRate: number;
  slowMs: number;
  failTwins: Record<string, TwinFault>;
  seed?: number;
}

export interface FaultRequest {
  method: string;
  path: string;
  op?: OperationKind;
  twinId?: string;
}

export interface FaultCounters {
  requests: number;
  errors: number;
  twinFailures: number;
  resets: number;
  delays: number;
}

const noFaults: FaultOptions = {
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  errorStatuses: [500, 503],
  resetRate: 0,
  slowRate: 0,
  slowMs: 0,
  failTwins: {},
};

export class FaultInjector {
  private options: FaultOptions;
  private random: Random;
  private twinFailuresLeft = new Map<string, number>();
  private counts: FaultCounters = { requests: 0, errors: 0, twinFailures: 0, resets: 0, delays: 0 };

  constructor(options: Partial<FaultOptions> = {}) {
    this.options = { ...noFaults, ...options };
    this.random = seededRandom(this.options.seed ?? Math.floor(Math.random() * 2 ** 32));
  }

  /**
   * Call before handling a request. Resolves after the injected latency; throws an AdtError to answer
   * with, or returns 'reset' when the server should destroy the socket without answering.
   */
  async beforeRequest(request: FaultRequest): Promise<void | 'reset'> {
    this.counts.requests++;
    // Draw every random number up front, in a fixed order, so outcomes depend only on the seed and the request sequence.
    const o = this.options;
    const jitter = o.jitterMs > 0 ? this.random() * o.jitterMs : 0;
    const slow = o.slowRate > 0 && this.random() < o.slowRate;
    const reset = o.resetRate > 0 && this.random() < o.resetRate;
    const fail = o.errorRate > 0 && this.random() < o.errorRate;
    const statusPick = fail ? this.random() : 0;

    const delay = o.latencyMs + jitter + (slow ? o.slowMs : 0);
    if (delay > 0) {
      this.counts.delays++;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }

    const twinFault = this.twinFault(request);
    if (twinFault) throw twinFault;
    if (reset) {
      this.counts.resets++;
      return 'reset';
    }
    if (fail && o.errorStatuses.length > 0) {
      const status = o.errorStatuses[Math.floor(statusPick * o.errorStatuses.length)] ?? 500;
      this.counts.errors++;
      throw injectedError(status, undefined, status === 503 ? o.retryAfterOn503 : undefined, `errorRate ${o.errorRate}`);
    }
  }

  /** Changes options; failTwins counts restart when failTwins is given. The PRNG re-seeds only when seed is given. */
  update(options: Partial<FaultOptions>): void {
    this.options = { ...this.options, ...options };
    if (options.failTwins) this.twinFailuresLeft.clear();
    if (options.seed !== undefined) this.random = seededRandom(options.seed);
  }

  /** Back to no faults at all, counters zeroed. */
  reset(): void {
    this.options = { ...noFaults };
    this.twinFailuresLeft.clear();
    this.counts = { requests: 0, errors: 0, twinFailures: 0, resets: 0, delays: 0 };
  }

  counters(): FaultCounters {
    return { ...this.counts };
  }

  private twinFault(request: FaultRequest): Error | undefined {
    if (request.twinId === undefined || !Object.hasOwn(this.options.failTwins, request.twinId)) return undefined;
    const fault = this.options.failTwins[request.twinId];
    if (!fault) return undefined;
    if (fault.ops && (request.op === undefined || !fault.ops.includes(request.op))) return undefined;
    if (fault.count !== undefined) {
      const left = this.twinFailuresLeft.get(request.twinId) ?? fault.count;
      if (left <= 0) return undefined;
      this.twinFailuresLeft.set(request.twinId, left - 1);
    }
    this.counts.twinFailures++;
    return injectedError(
      fault.status,
      fault.code,
      fault.status === 503 ? this.options.retryAfterOn503 : undefined,
      `failTwins['${request.twinId}']`,
    );
  }
}
