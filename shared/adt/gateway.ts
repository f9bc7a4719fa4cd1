// The one way into Azure Digital Twins. Every call is rate-budgeted, bounded in concurrency,
// serialised per twin and retried by our own loop up to the caller's deadline. Used by the ingest
// function (applyTwinUpdate, publishTelemetry) and by propagation (readTwin, patchTwin, listings, query).

import type { ModelIndex } from '../dtdl';
import { systemClock, type Clock } from './clock';
import { KeyedLimiter } from './concurrency';
import { AdtRequestError } from './errors';
import { ModelCatalog } from './modelCatalog';
import { RateLimiter, slidingWindowBudget } from './rateLimiter';
import { callWithRetry, defaultRetryPolicy, type CallStats, type RetryPolicy } from './retry';
import { TwinCache } from './twinCache';
import { applyTwinUpdate } from './twinWriter';
import type { TwinUpdate, TwinUpdateResult } from './twinUpdate';
import type { AdtPort, IncomingRelationship, JsonPatchOperation, PortCallOptions, Relationship, TelemetryMessage, Twin } from './types';

export interface GatewayLimits {
  /** Requests in flight at once across all twins. */
  maxConcurrency: number;
  /** ADT: 10 create/update/delete ops per second on one twin (not adjustable). */
  twinWritesPerSecond: number;
  /** ADT default: 1,000 patch requests per second per instance. */
  patchesPerSecond: number;
  /** ADT default: 1,000 read requests per second per instance. */
  readsPerSecond: number;
  /** Telemetry has no published limit; it is budgeted like patches. */
  telemetryPerSecond: number;
}

export const defaultGatewayLimits: GatewayLimits = {
  maxConcurrency: 32,
  twinWritesPerSecond: 10,
  patchesPerSecond: 1000,
  readsPerSecond: 1000,
  telemetryPerSecond: 1000,
};

export interface GatewayOptions {
  port: AdtPort;
  limits?: Partial<GatewayLimits>;
  retryPolicy?: Partial<RetryPolicy>;
  clock?: Clock;
  random?: () => number;
  twinCacheSize?: number;
}

/** Per-call context: when to give up, where to count, which trace to continue. */
export interface CallContext {
  /** Absolute time (ms, same clock as the gateway) after which transient failures are thrown. */
  deadline: number;
  stats: CallStats;
  traceparent?: string;
}

export class AdtGateway {
  readonly limits: GatewayLimits;
  readonly twins: TwinCache;
  private readonly port: AdtPort;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly policy: RetryPolicy;
  private readonly limiter: KeyedLimiter;
  private readonly writeBudget: RateLimiter;
  private readonly readBudget: RateLimiter;
  private readonly telemetryBudget: RateLimiter;
  private readonly models = new ModelCatalog();
  private unkeyed = 0;

  constructor(options: GatewayOptions) {
    this.port = options.port;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.limits = { ...defaultGatewayLimits, ...options.limits };
    this.policy = { ...defaultRetryPolicy, ...options.retryPolicy };
    this.twins = new TwinCache(options.twinCacheSize);
    this.limiter = new KeyedLimiter(this.limits.maxConcurrency);
    const perTwin = slidingWindowBudget(this.limits.twinWritesPerSecond);
    this.writeBudget = new RateLimiter(this.clock, slidingWindowBudget(this.limits.patchesPerSecond), perTwin);
    this.readBudget = new RateLimiter(this.clock, slidingWindowBudget(this.limits.readsPerSecond), undefined);
    this.telemetryBudget = new RateLimiter(this.clock, slidingWindowBudget(this.limits.telemetryPerSecond), undefined);
  }

  /** GET twin (consistent, unlike query); the copy also feeds the out-of-order guard. */
  readTwin(twinId: string, ctx: CallContext): Promise<{ twin: Twin; etag: string | undefined }> {
    return this.limiter.run(twinId, () => this.readTwinNow(twinId, ctx));
  }

  /** PATCH with optional If-Match; a 412 surfaces as AdtRequestError kind 'preconditionFailed'. */
  patchTwin(twinId: string, patch: JsonPatchOperation[], ctx: CallContext & { ifMatch?: string }): Promise<{ etag: string | undefined }> {
    return this.limiter.run(twinId, () => this.patchTwinNow(twinId, patch, ctx, ctx.ifMatch));
  }

  listRelationships(twinId: string, relationshipName: string | undefined, ctx: CallContext): Promise<Relationship[]> {
    return this.limiter.run(this.nextUnkeyed(), () =>
      this.send('listRelationships', this.readBudget, undefined, ctx, (o) => this.port.listRelationships(twinId, relationshipName, o)),
    );
  }

  listIncomingRelationships(twinId: string, ctx: CallContext): Promise<IncomingRelationship[]> {
    return this.limiter.run(this.nextUnkeyed(), () =>
      this.send('listIncomingRelationships', this.readBudget, undefined, ctx, (o) => this.port.listIncomingRelationships(twinId, o)),
    );
  }

  /** Query lags writes by up to 10 s in ADT: prefer readTwin for values that must be current. */
  query(query: string, ctx: CallContext): Promise<unknown[]> {
    return this.limiter.run(this.nextUnkeyed(), () => this.send('query', this.readBudget, undefined, ctx, (o) => this.port.query(query, o)));
  }

  /** DTDL index for a model and its dependencies, fetched once per process. */
  modelIndex(modelId: string, ctx: CallContext): Promise<ModelIndex> {
    return this.models.indexFor(modelId, (ids) => this.send('getModels', this.readBudget, undefined, ctx, (o) => this.port.getModelsWithDependencies(ids, o)));
  }

  /** Ingest: validate, guard against out-of-order values, create if allowed, then one PATCH. */
  applyTwinUpdate(update: TwinUpdate, ctx: CallContext): Promise<TwinUpdateResult> {
    const callCtx = { ...ctx, traceparent: update.traceparent ?? ctx.traceparent };
    return this.limiter.run(update.twinId, () =>
      applyTwinUpdate(update, {
        cache: this.twins,
        modelIndex: (modelId) => this.modelIndex(modelId, callCtx),
        read: (twinId) => this.readTwinNow(twinId, callCtx),
        create: (twinId, twin) =>
          this.send('createTwin', this.writeBudget, twinId, callCtx, (o) => this.port.createTwin(twinId, twin, { ...o, ifNoneMatch: '*' })),
        patch: (twinId, patch) => this.patchTwinNow(twinId, patch, callCtx, undefined),
      }),
    );
  }

  /** Telemetry with the device's time and a deterministic message id (ADT de-duplicates on it). */
  publishTelemetry(message: TelemetryMessage, ctx: CallContext): Promise<void> {
    return this.limiter.run(this.nextUnkeyed(), () =>
      this.send('publishTelemetry', this.telemetryBudget, undefined, ctx, (o) => this.port.sendTelemetry(message, o)),
    );
  }

  private async readTwinNow(twinId: string, ctx: CallContext): Promise<{ twin: Twin; etag: string | undefined }> {
    const result = await this.send('getTwin', this.readBudget, undefined, ctx, (o) => this.port.getTwin(twinId, o));
    this.twins.remember(result.twin, result.etag);
    return result;
  }

  private async patchTwinNow(twinId: string, patch: JsonPatchOperation[], ctx: CallContext, ifMatch: string | undefined): Promise<{ etag: string | undefined }> {
    try {
      const result = await this.send('patchTwin', this.writeBudget, twinId, ctx, (o) => this.port.patchTwin(twinId, patch, { ...o, ifMatch }));
      this.twins.applied(twinId, patch, result.etag);
      return result;
    } catch (error) {
      // Our copy is wrong in some way (deleted twin, other writer, missing parent): read afresh next time.
      if (error instanceof AdtRequestError && error.kind !== 'throttled' && error.kind !== 'transient') this.twins.forget(twinId);
      throw error;
    }
  }

  private send<T>(operation: string, budget: RateLimiter, twinId: string | undefined, ctx: CallContext, call: (options: PortCallOptions) => Promise<T>): Promise<T> {
    return callWithRetry(operation, (timeoutMs) => call({ timeoutMs, traceparent: ctx.traceparent }), {
      clock: this.clock,
      policy: this.policy,
      deadline: ctx.deadline,
      stats: ctx.stats,
      acquire: () => budget.acquire(twinId),
      random: this.random,
    });
  }

  private nextUnkeyed(): string {
    this.unkeyed = (this.unkeyed + 1) % Number.MAX_SAFE_INTEGER;
    return `\u0000unkeyed:${this.unkeyed}`;
  }
}
