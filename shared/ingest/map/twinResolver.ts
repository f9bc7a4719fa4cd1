// Resolves query-based twin id requests through ADT with a bounded, expiring cache: found ids are kept
// for the TTL, "no twin" answers for the (shorter) negative TTL, and concurrent look-ups of the same
// key share one query. Query failures are not cached and reach the caller (they are transient).

import { type Clock, LruCache, systemClock } from '../../common';
import type { ResolvedTwin, TwinIdRequest, TwinResolution } from './twinTargets';

/** Runs an ADT query and returns all rows (the gateway pages through continuation tokens). */
export type TwinQuery = (query: string) => Promise<unknown[]>;

export interface TwinIdResolverOptions {
  /** The default query runner; `resolve` may be given one per call (e.g. bound to a batch's deadline). */
  query?: TwinQuery;
  /** Injected so tests control expiry. */
  clock?: Pick<Clock, 'now'>;
  /** LRU bound used when a request carries none (all requests of one config share one bound). */
  maxEntries?: number;
}

export interface TwinIdResolverStats {
  queries: number;
  hits: number;
  negativeHits: number;
  sharedInFlight: number;
  size: number;
}

export interface TwinIdResolver {
  resolve(request: TwinIdRequest, query?: TwinQuery): Promise<TwinResolution>;
  /** Forget a key, e.g. after ADT answered 404 for a cached twin id. */
  invalidate(key: string): void;
  stats(): TwinIdResolverStats;
}

export function createTwinIdResolver(options: TwinIdResolverOptions = {}): TwinIdResolver {
  const clock = options.clock ?? systemClock;
  let cache: LruCache<string, ResolvedTwin[]> | undefined;
  const inFlight = new Map<string, Promise<TwinResolution>>();
  const counters = { queries: 0, hits: 0, negativeHits: 0, sharedInFlight: 0 };

  const cacheFor = (maxEntries: number): LruCache<string, ResolvedTwin[]> => {
    cache ??= new LruCache({ capacity: options.maxEntries ?? maxEntries, clock });
    return cache;
  };

  return {
    async resolve(request, query = options.query) {
      if (request.kind === 'direct') return { ok: true, twins: request.twins };
      if (request.kind === 'unresolved') return { ok: false, reason: 'twin-id-unresolved', detail: request.detail };
      const entries = cacheFor(request.cache.maxEntries);
      const cached = entries.get(request.key);
      if (cached) {
        if (cached.length === 0) counters.negativeHits++;
        else counters.hits++;
        return toResolution(cached, request.query);
      }
      const pending = inFlight.get(request.key);
      if (pending) {
        counters.sharedInFlight++;
        return pending;
      }
      if (!query) throw new Error('A query-based twin id needs a query runner: pass one to createTwinIdResolver or to resolve().');
      counters.queries++;
      const lookup = query(request.query)
        .then((rows) => {
          const twins = twinsFromRows(rows);
          entries.set(request.key, twins, twins.length === 0 ? request.cache.negativeTtlMs : request.cache.ttlMs);
          return toResolution(twins, request.query);
        })
        .finally(() => inFlight.delete(request.key));
      inFlight.set(request.key, lookup);
      return lookup;
    },
    invalidate(key) {
      cache?.delete(key);
    },
    stats() {
      return { ...counters, size: cache?.size ?? 0 };
    },
  };
}

function toResolution(twins: ResolvedTwin[], query: string): TwinResolution {
  return twins.length > 0 ? { ok: true, twins } : { ok: false, reason: 'twin-not-found', detail: `no twin matches ${query}` };
}

/** Accepts rows of `SELECT T.$dtId ...`, `SELECT T ...` (twin under an alias) or whole twins. */
export function twinsFromRows(rows: readonly unknown[]): ResolvedTwin[] {
  const twins: ResolvedTwin[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const twin = pickTwin(row);
    if (twin && !seen.has(twin.twinId)) {
      seen.add(twin.twinId);
      twins.push(twin);
    }
  }
  return twins;
}

function pickTwin(row: unknown): ResolvedTwin | undefined {
  if (typeof row !== 'object' || row === null) return undefined;
  const record = row as Record<string, unknown>;
  if (typeof record['$dtId'] === 'string') {
    const metadata = record['$metadata'] as { $model?: unknown } | undefined;
    const modelId = typeof metadata?.$model === 'string' ? metadata.$model : undefined;
    return { twinId: record['$dtId'], ...(modelId !== undefined && { modelId }) };
  }
  const values = Object.values(record);
  return values.length === 1 ? pickTwin(values[0]) : undefined;
}
