// The one way into Azure Digital Twins. Every call is rate-budgeted, bounded in concurrency,
// serialised per twin and retried by our own loop up to the caller's deadline. It talks to ADT and
// keeps what it learned (twin copies, models); what to write is decided by its callers (ingest's
// twin writer, propagation).

import { type Clock, systemClock } from '../common';
import type { ModelIndex } from '../dtdl';
import { recordAdtThrottled } from '../telemetry';
import { AdaptiveRate } from './adaptiveRate';
import { KeyedLimiter } from './concurrency';
import { isRetriable } from './errors';
import { defaultGatewayLimits, type GatewayLimits } from './limits';
import { ModelCatalog } from './modelCatalog';
import { RateLimiter, slidingWindowBudget } from './rateLimiter';
import { type CallStats, callWithRetry, countQueryPage, defaultRetryPolicy, type RetryPolicy } from './retry';
import { type CachedTwin, TwinCache } from './twinCache';
import { isPreloadedTwin, preloadQueries } from './twinPreload';
import type {
  AdtPort,
  IncomingRelationship,
  JsonPatchOperation,
  PortCallOptions,
  QueryPage,
  QueryPageRequest,
  Relationship,
  TelemetryMessage,
  Twin,
} from './types';

export interface GatewayOptions {
  port: AdtPort;
  limits?: Partial<GatewayLimits>;
  retryPolicy?: Partial<RetryPolicy>;
  clock?: Clock;
  random?: () => number;
  twinCacheSize?: number;
  /** Twins evicted from the full copies whose guard copy (model, ETag, sourceTimes, compact values) is kept; 0 = none. */
  guardCacheSize?: number;
  /** How long a fetched model is trusted before it is fetched again (modelCacheSeconds). Default 300 s. */
  modelCacheTtlMs?: number;
}

/** Per-call context: when to give up, where to count, which trace to continue. */
export interface CallContext {
  /** Absolute time (ms, same clock as the gateway) after which transient failures are thrown. */
  deadline: number;
  stats: CallStats;
  traceparent?: string;
}

export interface TwinRead {
  twin: Twin;
  etag: string | undefined;
}

/** Exclusive access to one twin: nothing else of this gateway touches it until the session ends. */
export interface TwinSession {
  /** The gateway's copy of the twin (no request), if it has one: full, or a guard copy (compact scalar values only). */
  readonly cached: CachedTwin | undefined;
  getTwin(): Promise<TwinRead>;
  /** PUT with If-None-Match: * (a 412 means someone else created it first). */
  createTwin(document: Record<string, unknown>): Promise<TwinRead>;
  updateTwin(patch: JsonPatchOperation[], options?: { ifMatch?: string }): Promise<{ etag: string | undefined }>;
}

export class AdtGateway {
  readonly limits: GatewayLimits;
  private readonly twins: TwinCache;
  private readonly port: AdtPort;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly policy: RetryPolicy;
  private readonly limiter: KeyedLimiter;
  private readonly writeBudget: RateLimiter;
  private readonly readBudget: RateLimiter;
  private readonly queryBudget: RateLimiter;
  private readonly telemetryBudget: RateLimiter;
  private readonly models: ModelCatalog;
  private unkeyed = 0;

  constructor(options: GatewayOptions) {
    this.port = options.port;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.limits = { ...defaultGatewayLimits, ...options.limits };
    this.policy = { ...defaultRetryPolicy, ...options.retryPolicy };
    this.twins = new TwinCache(options.twinCacheSize, options.guardCacheSize);
    this.models = new ModelCatalog({ ttlMs: options.modelCacheTtlMs ?? 300_000, clock: this.clock });
    this.limiter = new KeyedLimiter(this.limits.maxConcurrency);
    const perTwin = slidingWindowBudget(this.limits.twinWritesPerSecond);
    // Instance-wide budgets adapt (ADT counts them across all instances); the per-twin one is ADT's
    // fixed 10/s, which one process alone may use in full (a twin's partition has one owner).
    const adaptive = (limit: number) =>
      new AdaptiveRate(this.clock, { ceiling: slidingWindowBudget(limit).perSecond, instances: this.limits.instances });
    this.writeBudget = new RateLimiter(this.clock, adaptive(this.limits.patchesPerSecond), perTwin);
    this.readBudget = new RateLimiter(this.clock, adaptive(this.limits.readsPerSecond), undefined);
    this.queryBudget = new RateLimiter(this.clock, adaptive(this.limits.queriesPerSecond), undefined);
    this.telemetryBudget = new RateLimiter(this.clock, adaptive(this.limits.telemetryPerSecond), undefined);
  }

  /** The instance-wide budgets now (requests per second); they adapt to 429s. */
  budgets(): { writes: number; reads: number; queries: number; telemetry: number } {
    return {
      writes: this.writeBudget.perSecond,
      reads: this.readBudget.perSecond,
      queries: this.queryBudget.perSecond,
      telemetry: this.telemetryBudget.perSecond,
    };
  }

  /** The gateway's copy of a twin, without a request (undefined when it has none). */
  cachedTwin(twinId: string): CachedTwin | undefined {
    return this.twins.get(twinId);
  }

  /**
   * What a write may trust without a request: the full copy, or the guard copy (model, ETag,
   * sourceTimes, compact scalar values) of a twin that fell out of the full copies.
   */
  guardCopy(twinId: string): CachedTwin | undefined {
    return this.twins.forWrite(twinId);
  }

  /** Drops this process's copies of the twins (another writer may have changed them): their next write reads them afresh. */
  forgetTwins(twinIds: Iterable<string>): void {
    for (const twinId of twinIds) this.twins.forget(twinId);
  }

  /** GET twin (consistent, unlike query); the copy also feeds the out-of-order guard. */
  getTwin(twinId: string, ctx: CallContext): Promise<TwinRead> {
    return this.limiter.run(twinId, () => this.getTwinNow(twinId, ctx));
  }

  /** PATCH with optional If-Match; a 412 surfaces as AdtRequestError kind 'preconditionFailed'. */
  updateTwin(twinId: string, patch: JsonPatchOperation[], ctx: CallContext & { ifMatch?: string }): Promise<{ etag: string | undefined }> {
    return this.limiter.run(twinId, () => this.updateTwinNow(twinId, patch, ctx, ctx.ifMatch));
  }

  /** Runs `work` with exclusive access to one twin: a read, a create and patches that nothing interleaves. */
  withTwin<T>(twinId: string, ctx: CallContext, work: (twin: TwinSession) => Promise<T>): Promise<T> {
    const twins = this.twins;
    const session: TwinSession = {
      get cached() {
        return twins.forWrite(twinId);
      },
      getTwin: () => this.getTwinNow(twinId, ctx),
      createTwin: async (document) => {
        const created = await this.send('createTwin', this.writeBudget, twinId, ctx, (o) =>
          this.port.createTwin(twinId, document, { ...o, ifNoneMatch: '*' }),
        );
        this.twins.remember(created.twin, created.etag);
        return created;
      },
      updateTwin: (patch, options) => this.updateTwinNow(twinId, patch, ctx, options?.ifMatch),
    };
    return this.limiter.run(twinId, () => work(session));
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

  /** DELETE a relationship (write budget); a 404 surfaces as AdtRequestError like any other answer. */
  deleteRelationship(sourceId: string, relationshipId: string, ctx: CallContext): Promise<void> {
    const port = this.port;
    if (!port.deleteRelationship) return Promise.reject(new Error('This ADT port cannot delete relationships.'));
    return this.limiter.run(sourceId, () =>
      this.send(
        'deleteRelationship',
        this.writeBudget,
        sourceId,
        ctx,
        (o) => port.deleteRelationship?.(sourceId, relationshipId, o) ?? Promise.resolve(),
      ),
    );
  }

  /** PUT a relationship (an upsert: the same id again changes nothing). */
  upsertRelationship(relationship: Relationship, ctx: CallContext): Promise<void> {
    const port = this.port;
    if (!port.upsertRelationship) return Promise.reject(new Error('This ADT port cannot create relationships.'));
    return this.limiter.run(relationship.$sourceId, () =>
      this.send(
        'upsertRelationship',
        this.writeBudget,
        relationship.$sourceId,
        ctx,
        (o) => port.upsertRelationship?.(relationship, o) ?? Promise.resolve(),
      ),
    );
  }

  /** DELETE a twin (ADT refuses while it has relationships); the cached copies go with it. */
  async deleteTwin(twinId: string, ctx: CallContext): Promise<void> {
    const port = this.port;
    if (!port.deleteTwin) throw new Error('This ADT port cannot delete twins.');
    try {
      await this.limiter.run(twinId, () =>
        this.send('deleteTwin', this.writeBudget, twinId, ctx, (o) => port.deleteTwin?.(twinId, o) ?? Promise.resolve()),
      );
    } finally {
      this.twins.forget(twinId);
    }
  }

  /** Query lags writes by up to 10 s in ADT: prefer getTwin for values that must be current. On the Query API's budget. */
  query(query: string, ctx: CallContext): Promise<unknown[]> {
    return this.limiter.run(this.nextUnkeyed(), () =>
      this.send('query', this.queryBudget, undefined, ctx, (o) => this.port.query(query, o)),
    );
  }

  /**
   * One page of a query, for callers that bound their work (the conditions sweep): they page on with
   * the token. Its `query-charge` is counted in ctx.stats like every query page. A port without
   * paging answers every row as one page.
   */
  queryPage(query: string, page: QueryPageRequest, ctx: CallContext): Promise<QueryPage> {
    const port = this.port;
    return this.limiter.run(this.nextUnkeyed(), () =>
      this.send('query', this.queryBudget, undefined, ctx, async (o) =>
        port.queryPage ? port.queryPage(query, page, o) : { rows: await port.query(query, o) },
      ),
    );
  }

  /**
   * Guard copies of the twins this process holds no copy of, read 50 to a query (twinPreload.ts);
   * resolves the ids now held. A twin the query does not return is left to getTwin: it may not exist,
   * or ADT's query index may not show it yet. A failed query rejects; the caller may fall back to GETs.
   */
  async preloadTwins(twinIds: Iterable<string>, ctx: CallContext): Promise<Set<string>> {
    const missing = [...new Set(twinIds)].filter((twinId) => this.twins.forWrite(twinId) === undefined);
    const held = new Set<string>();
    await Promise.all(
      preloadQueries(missing).map(async (query) => {
        for (const row of await this.query(query, ctx)) {
          if (isPreloadedTwin(row) && this.twins.rememberGuard(row, row.$etag)) held.add(row.$dtId);
        }
      }),
    );
    return held;
  }

  /** DTDL index for a model and its dependencies, fetched once per model cache TTL. */
  modelIndex(modelId: string, ctx: CallContext): Promise<ModelIndex> {
    return this.models.indexFor(modelId, (ids) =>
      this.send('getModels', this.readBudget, undefined, ctx, (o) => this.port.getModelsWithDependencies(ids, o)),
    );
  }

  /** Telemetry with the device's time and a deterministic message id (ADT de-duplicates on it). */
  publishTelemetry(message: TelemetryMessage, ctx: CallContext): Promise<void> {
    return this.limiter.run(this.nextUnkeyed(), () =>
      this.send('publishTelemetry', this.telemetryBudget, undefined, ctx, (o) => this.port.publishTelemetry(message, o)),
    );
  }

  private async getTwinNow(twinId: string, ctx: CallContext): Promise<TwinRead> {
    const result = await this.send('getTwin', this.readBudget, undefined, ctx, (o) => this.port.getTwin(twinId, o));
    this.twins.remember(result.twin, result.etag);
    return result;
  }

  private async updateTwinNow(
    twinId: string,
    patch: JsonPatchOperation[],
    ctx: CallContext,
    ifMatch: string | undefined,
  ): Promise<{ etag: string | undefined }> {
    try {
      const result = await this.send('updateTwin', this.writeBudget, twinId, ctx, (o) =>
        this.port.updateTwin(twinId, patch, { ...o, ifMatch }),
      );
      this.twins.applied(twinId, patch, result.etag);
      return result;
    } catch (error) {
      // Our copy is wrong in some way (deleted twin, other writer, missing parent): read afresh next time.
      if (!isRetriable(error)) this.twins.forget(twinId);
      throw error;
    }
  }

  private send<T>(
    operation: string,
    budget: RateLimiter,
    twinId: string | undefined,
    ctx: CallContext,
    call: (options: PortCallOptions) => Promise<T>,
  ): Promise<T> {
    // Every query page's charge (Query Units) lands in the caller's stats, retried attempts included: ADT bills them.
    const onQueryPage = (page: { queryCharge: number | undefined }) => countQueryPage(ctx.stats, page.queryCharge);
    return callWithRetry(operation, (timeoutMs) => call({ timeoutMs, traceparent: ctx.traceparent, onQueryPage }), {
      clock: this.clock,
      policy: this.policy,
      deadline: ctx.deadline,
      stats: ctx.stats,
      acquire: () => budget.acquire(twinId),
      onThrottled: (retryAfterMs) => {
        budget.throttled(retryAfterMs);
        recordAdtThrottled(operation);
      },
      random: this.random,
    });
  }

  private nextUnkeyed(): string {
    this.unkeyed = (this.unkeyed + 1) % Number.MAX_SAFE_INTEGER;
    return `\u0000unkeyed:${this.unkeyed}`;
  }
}
