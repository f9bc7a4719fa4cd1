// Query lag: ADT's query index trails writes ("up to 10 s"), while GET and list calls are
// consistent. With `queryLag` set, queries see the stores as they were `lagMs` (+ up to
// `jitterMs`, drawn per query page) ago; every other API stays immediately consistent. The
// stores are observed (their set/delete wrapped) to keep each document's earlier versions for as
// long as a query might still see them.
import type { RelationshipStore } from '../store/relationshipStore';
import type { TwinStore } from '../store/twinStore';
import type { RelationshipDoc, TwinDoc } from '../types';
import type { QuerySource } from './source';

export interface QueryLagOptions {
  lagMs: number;
  jitterMs?: number;
  /** Test seams. */
  now?: () => number;
  random?: () => number;
}

/** `--query-lag <ms>[:<jitter>]`. */
export function parseQueryLag(text: string): { lagMs: number; jitterMs: number } {
  const match = /^(\d+)(?::(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`--query-lag must be <ms> or <ms>:<jitterMs>, e.g. 2000 or 2000:500 (got "${text}").`);
  return { lagMs: Number(match[1]), jitterMs: Number(match[2] ?? 0) };
}

/** A document's state before the change made at `until` (undefined = it did not exist). */
interface Version<T> {
  until: number;
  doc: T | undefined;
}

class History<T> {
  private readonly versions = new Map<string, Version<T>[]>();

  record(key: string, previous: T | undefined, at: number): void {
    const list = this.versions.get(key) ?? [];
    list.push({ until: at, doc: previous });
    this.versions.set(key, list);
  }

  /** The document as of `visibleAt`: the state before the first change after it, else `current`. */
  asOf(key: string, current: T | undefined, visibleAt: number): T | undefined {
    const list = this.versions.get(key);
    const first = list?.find((v) => v.until > visibleAt);
    return first ? first.doc : current;
  }

  has(key: string): boolean {
    return this.versions.has(key);
  }

  /** Keys with history (documents that may be visible although deleted since). */
  keys(): IterableIterator<string> {
    return this.versions.keys();
  }

  /** Drops versions no query can see any more. */
  prune(olderThan: number): void {
    for (const [key, list] of this.versions) {
      const keep = list.filter((v) => v.until > olderThan);
      if (keep.length === 0) this.versions.delete(key);
      else this.versions.set(key, keep);
    }
  }
}

const relKey = (sourceId: string, relationshipId: string): string => `${sourceId}\u0000${relationshipId}`;

/** A source per query page; each sees the stores as they were lagMs (+ jitter) before the page. */
export function laggedQuerySource(
  live: QuerySource,
  twins: TwinStore,
  relationships: RelationshipStore,
  options: QueryLagOptions,
): () => QuerySource {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const maxLag = options.lagMs + (options.jitterMs ?? 0);
  const twinHistory = new History<TwinDoc>();
  const relHistory = new History<RelationshipDoc>();
  const deletedRels = new Map<string, RelationshipDoc>();

  const setTwin = twins.set.bind(twins);
  const deleteTwin = twins.delete.bind(twins);
  twins.set = (twin) => {
    twinHistory.record(twin.$dtId, twins.get(twin.$dtId), now());
    setTwin(twin);
  };
  twins.delete = (id) => {
    twinHistory.record(id, twins.get(id), now());
    return deleteTwin(id);
  };
  const setRel = relationships.set.bind(relationships);
  const deleteRel = relationships.delete.bind(relationships);
  relationships.set = (rel) => {
    relHistory.record(relKey(rel.$sourceId, rel.$relationshipId), relationships.get(rel.$sourceId, rel.$relationshipId), now());
    setRel(rel);
  };
  relationships.delete = (sourceId, relationshipId) => {
    const previous = relationships.get(sourceId, relationshipId);
    relHistory.record(relKey(sourceId, relationshipId), previous, now());
    if (previous) deletedRels.set(relKey(sourceId, relationshipId), previous);
    return deleteRel(sourceId, relationshipId);
  };

  return () => {
    // One visible time per query page, as ADT's index answers a page from one state.
    const at = now();
    twinHistory.prune(at - maxLag);
    relHistory.prune(at - maxLag);
    for (const key of deletedRels.keys()) if (!relHistory.has(key)) deletedRels.delete(key);
    const visibleAt = at - options.lagMs - random() * (options.jitterMs ?? 0);

    const visibleRels = (candidates: Iterable<RelationshipDoc>, include: (rel: RelationshipDoc) => boolean): RelationshipDoc[] => {
      const out: RelationshipDoc[] = [];
      const seen = new Set<string>();
      for (const rel of candidates) {
        const key = relKey(rel.$sourceId, rel.$relationshipId);
        seen.add(key);
        const doc = relHistory.asOf(key, rel, visibleAt);
        if (doc) out.push(doc);
      }
      for (const [key, rel] of deletedRels) {
        if (seen.has(key) || !include(rel)) continue;
        const doc = relHistory.asOf(key, undefined, visibleAt);
        if (doc) out.push(doc);
      }
      return out;
    };

    return {
      *twins() {
        const seen = new Set<string>();
        for (const twin of live.twins()) {
          seen.add(twin.$dtId);
          const doc = twinHistory.asOf(twin.$dtId, twin, visibleAt);
          if (doc) yield doc;
        }
        for (const id of twinHistory.keys()) {
          if (seen.has(id)) continue;
          const doc = twinHistory.asOf(id, undefined, visibleAt);
          if (doc) yield doc;
        }
      },
      twin: (id) => twinHistory.asOf(id, live.twin(id), visibleAt),
      outgoing: (twinId) => visibleRels(live.outgoing(twinId), (rel) => rel.$sourceId === twinId),
      // A relationship re-pointed within the lag is still seen at its old target, as the index has it.
      incoming: (twinId) => visibleRels(live.incoming(twinId), (rel) => rel.$targetId === twinId).filter((rel) => rel.$targetId === twinId),
      relationships: () => visibleRels(live.relationships(), () => true),
      isOfModel: live.isOfModel,
    };
  };
}

/** The live source, or the lagged view when a lag is configured. */
export function withQueryLag(
  live: QuerySource,
  twins: TwinStore,
  relationships: RelationshipStore,
  lag: QueryLagOptions | undefined,
): QuerySource | (() => QuerySource) {
  return lag && lag.lagMs + (lag.jitterMs ?? 0) > 0 ? laggedQuerySource(live, twins, relationships, lag) : live;
}
