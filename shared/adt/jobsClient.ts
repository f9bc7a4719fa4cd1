// ADT's Jobs API (bulk import from Blob Storage, whole-instance delete) over plain REST:
// @azure/digital-twins-core 1.1.0 has no job methods (reference iot-hub-events-and-bulk.md §7.7).
// It runs on the gateway's own stack: the same credential (bearer token policy, scope
// https://digitaltwins.azure.net/.default) and the same HTTP layer (GatewayTransport over
// KeepAliveHttpClient, or the transport the runner/tests set), and this module's retry loop, never
// core-http's. The Jobs API allows 1 request/s per instance, so calls are spaced at least that far.

import type { HttpClient, HttpOperationResponse, ServiceClient } from '@azure/core-http';
import type { TokenCredential } from '@azure/identity';

import { type Clock, systemClock } from '../common';
import { AdtRequestError, parseRetryAfter } from './errors';
import { type CallStats, callWithRetry, emptyCallStats, type RetryPolicy } from './retry';
import { adtClientDefaults, sharedCredential } from './sdkClient';
import { toAdtRequestError } from './sdkPort';
import { gatewayRetryAfterHeader, GatewayTransport } from './sdkTransport';

/** Import jobs are stable in 2023-06-30, delete jobs in 2023-10-31: one version serves both. */
export const JOBS_API_VERSION = '2023-10-31';
const ADT_SCOPE = 'https://digitaltwins.azure.net/.default';

export type ImportJobStatus = 'notstarted' | 'running' | 'failed' | 'succeeded' | 'cancelling' | 'cancelled';
export type DeleteJobStatus = 'notstarted' | 'running' | 'failed' | 'succeeded';

export interface JobError {
  code?: string;
  message?: string;
  details?: unknown;
}

export interface ImportJob {
  id: string;
  inputBlobUri: string;
  outputBlobUri: string;
  status: ImportJobStatus;
  createdDateTime?: string;
  lastActionDateTime?: string;
  finishedDateTime?: string;
  purgeDateTime?: string;
  error?: JobError;
}

export interface DeleteJob {
  id: string;
  status: DeleteJobStatus;
  createdDateTime?: string;
  finishedDateTime?: string;
  purgeDateTime?: string;
  error?: JobError;
}

export interface AdtJobsClientOptions {
  /** `https://<instance>.api.<region>.digitaltwins.azure.net` */
  url: string;
  /** Default: the credential the gateway's clients use (setAdtClientDefaults, else DefaultAzureCredential). */
  credential?: TokenCredential;
  /** Default: the gateway's HTTP layer (setAdtClientDefaults, else KeepAliveHttpClient), wrapped in GatewayTransport. */
  httpClient?: HttpClient;
  clock?: Clock;
  /** Spacing between requests; the Jobs API allows 1 request/s. */
  minRequestIntervalMs?: number;
  retry?: Partial<RetryPolicy>;
}

export interface WaitOptions {
  /** First poll interval; grows ×1.5 per unchanged poll up to maxPollMs. */
  pollMs?: number;
  maxPollMs?: number;
  /** Give up (the job keeps running) after this long. */
  timeoutMs?: number;
  onPoll?(job: { id: string; status: string }): void;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** Thrown by wait* when the job is still not finished at the timeout (it keeps running in ADT). */
export class JobWaitTimeoutError extends Error {
  constructor(
    readonly jobId: string,
    readonly lastStatus: string,
    timeoutMs: number,
  ) {
    super(
      `Job ${jobId} is still ${lastStatus} after ${Math.round(timeoutMs / 1000)} s; it keeps running in ADT. Check it later with GET /jobs/imports/${jobId} (or /jobs/deletions/${jobId}).`,
    );
    this.name = 'JobWaitTimeoutError';
  }
}

export class AdtJobsClient {
  readonly stats: CallStats = emptyCallStats();
  private readonly base: string;
  private readonly service: ServiceClient;
  private readonly clock: Clock;
  private readonly minInterval: number;
  private readonly policy: RetryPolicy;
  private nextSlot = 0;

  constructor(options: AdtJobsClientOptions) {
    if (!/^https:\/\//i.test(options.url))
      throw new Error(`ADT URL must start with https:// (got "${options.url}"); ADT refuses bearer tokens over plain http.`);
    this.base = options.url.replace(/\/+$/, '');
    const defaults = adtClientDefaults();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ServiceClient: Client } = require('@azure/core-http') as typeof import('@azure/core-http');
    this.service = new Client(options.credential ?? defaults.credential ?? sharedCredential(), {
      httpClient: new GatewayTransport(options.httpClient ?? defaults.httpClient),
      credentialScopes: [ADT_SCOPE],
      // One attempt per call: every retry decision is made in callWithRetry, as in the gateway.
      noRetryPolicy: true,
    });
    this.clock = options.clock ?? systemClock;
    this.minInterval = options.minRequestIntervalMs ?? 1000;
    this.policy = { baseDelayMs: 1000, maxDelayMs: 30_000, maxAttempts: 8, requestTimeoutMs: 60_000, ...options.retry };
  }

  /** PUT /jobs/imports/{id} → 201. The instance's identity reads inputBlobUri and writes outputBlobUri. */
  createImport(id: string, blobs: { inputBlobUri: string; outputBlobUri: string }): Promise<ImportJob> {
    return this.send<ImportJob>('PUT', `/jobs/imports/${encodeURIComponent(id)}`, [201], blobs);
  }

  getImport(id: string): Promise<ImportJob> {
    return this.send<ImportJob>('GET', `/jobs/imports/${encodeURIComponent(id)}`, [200]);
  }

  listImports(): Promise<ImportJob[]> {
    return this.listAll<ImportJob>('/jobs/imports');
  }

  /** POST /jobs/imports/{id}/cancel → 200, status `cancelling` (then `cancelled`). Nothing is rolled back. */
  cancelImport(id: string): Promise<ImportJob> {
    return this.send<ImportJob>('POST', `/jobs/imports/${encodeURIComponent(id)}/cancel`, [200]);
  }

  /** Deletes the job record only (frees the id); it does not stop a running job. */
  async deleteImport(id: string): Promise<void> {
    await this.send<unknown>('DELETE', `/jobs/imports/${encodeURIComponent(id)}`, [204]);
  }

  /** POST /jobs/deletions → 202. Deletes EVERY model, twin and relationship of the instance. Cannot be cancelled. */
  startDeletion(options: { id?: string; timeoutInMinutes?: number } = {}): Promise<DeleteJob> {
    const query = options.timeoutInMinutes !== undefined ? `&timeoutInMinutes=${options.timeoutInMinutes}` : '';
    return this.send<DeleteJob>('POST', '/jobs/deletions', [202], undefined, query, options.id ? { 'operation-id': options.id } : {});
  }

  getDeletion(id: string): Promise<DeleteJob> {
    return this.send<DeleteJob>('GET', `/jobs/deletions/${encodeURIComponent(id)}`, [200]);
  }

  listDeletions(): Promise<DeleteJob[]> {
    return this.listAll<DeleteJob>('/jobs/deletions');
  }

  /** Polls with growing intervals until succeeded, failed or cancelled; returns the last job record. */
  waitForImport(id: string, options: WaitOptions = {}): Promise<ImportJob> {
    return this.waitFor(id, () => this.getImport(id), options);
  }

  waitForDeletion(id: string, options: WaitOptions = {}): Promise<DeleteJob> {
    return this.waitFor(id, () => this.getDeletion(id), options);
  }

  private async waitFor<T extends { id: string; status: string }>(id: string, get: () => Promise<T>, options: WaitOptions): Promise<T> {
    const maxPoll = options.maxPollMs ?? 15_000;
    let interval = Math.max(this.minInterval, options.pollMs ?? 1000);
    const deadline = options.timeoutMs !== undefined ? this.clock.now() + options.timeoutMs : Number.POSITIVE_INFINITY;
    let last: T | undefined;
    for (;;) {
      const job = await get();
      options.onPoll?.(job);
      if (FINISHED.has(job.status)) return job;
      if (this.clock.now() + interval > deadline) throw new JobWaitTimeoutError(id, job.status, options.timeoutMs ?? 0);
      // A status that moved resets the interval; a status that stays put is polled ever less often.
      interval =
        last?.status === job.status ? Math.min(maxPoll, Math.round(interval * 1.5)) : Math.max(this.minInterval, options.pollMs ?? 1000);
      last = job;
      await this.clock.sleep(interval);
    }
  }

  private async listAll<T>(path: string): Promise<T[]> {
    const all: T[] = [];
    let page = await this.send<{ value?: T[]; nextLink?: string | null }>('GET', path, [200]);
    all.push(...(page.value ?? []));
    while (page.nextLink) {
      page = await this.sendUrl<{ value?: T[]; nextLink?: string | null }>('GET', page.nextLink, [200]);
      all.push(...(page.value ?? []));
    }
    return all;
  }

  private send<T>(
    method: string,
    path: string,
    accepted: number[],
    body?: unknown,
    extraQuery = '',
    headers: Record<string, string> = {},
  ): Promise<T> {
    return this.sendUrl<T>(method, `${this.base}${path}?api-version=${JOBS_API_VERSION}${extraQuery}`, accepted, body, headers);
  }

  private sendUrl<T>(method: string, url: string, accepted: number[], body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const operation = `${method} ${new URL(url).pathname}`;
    return callWithRetry(
      operation,
      async (timeoutMs) => {
        // Our own timer, cleared with the response (core-http's `timeout` keeps its timer alive).
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), timeoutMs);
        let response: HttpOperationResponse;
        try {
          response = await this.service.sendRequest({
            url,
            method: method as 'GET',
            headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
            ...(body !== undefined ? { body: JSON.stringify(body), disableJsonStringifyOnBody: true } : {}),
            abortSignal: controller.signal,
          });
        } catch (error) {
          throw toAdtRequestError(error, this.clock.now());
        } finally {
          clearTimeout(timer);
        }
        if (!accepted.includes(response.status)) throw this.failure(operation, response);
        return (response.parsedBody ?? safeJson(response.bodyAsText)) as T;
      },
      {
        clock: this.clock,
        policy: this.policy,
        deadline: this.clock.now() + this.policy.requestTimeoutMs * this.policy.maxAttempts,
        stats: this.stats,
        acquire: () => this.slot(),
      },
    );
  }

  /** Waits for the next 1-request-per-second slot of the Jobs API. */
  private async slot(): Promise<void> {
    const now = this.clock.now();
    const wait = this.nextSlot - now;
    this.nextSlot = Math.max(now, this.nextSlot) + this.minInterval;
    if (wait > 0) await this.clock.sleep(wait);
  }

  private failure(operation: string, response: HttpOperationResponse): AdtRequestError {
    const parsed = (response.parsedBody ?? safeJson(response.bodyAsText)) as
      { error?: { code?: string; message?: string }; code?: string; message?: string } | undefined;
    const error = parsed?.error ?? parsed;
    const retryAfter = parseRetryAfter(
      response.headers.get(gatewayRetryAfterHeader) ?? response.headers.get('retry-after'),
      this.clock.now(),
    );
    return new AdtRequestError(
      `${operation} → ${response.status} ${error?.code ?? ''}: ${error?.message ?? (response.bodyAsText || 'no error body')}`,
      response.status,
      error?.code,
      retryAfter,
    );
  }
}

function safeJson(text: string | null | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
