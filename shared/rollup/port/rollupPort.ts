// The narrow view of ADT the roll-up engine needs. gatewayPort.ts implements it over the one ADT
// gateway (shared/adt/); tests may implement it in memory. Twins and patches are
// the core's one wire shape (shared/adt types).

import type { JsonPatchOperation, QueryPage, QueryPageRequest, Twin } from '../../adt';
import type { RelationshipDirection } from '../rules';

/** Roll-up queries quote parent ids, models and relationship names with the one query-literal rule. */
export { quoteQueryString } from '../../common';

export interface TwinSnapshot {
  twin: Twin;
  etag: string;
}

export interface OutgoingLink {
  relationshipId: string;
  relationshipName: string;
  targetId: string;
}

export interface IncomingLink {
  relationshipId: string;
  relationshipName: string;
  sourceId: string;
}

/** A child found by query, with the relationship linking it to the parent. */
export interface QueriedChild {
  twin: Twin;
  relationshipId: string;
  /** The relationship's source: the parent for outgoing rules, the child for incoming ones. */
  sourceId: string;
}

export type PatchOutcome = { kind: 'written'; etag: string } | { kind: 'preconditionFailed' } | { kind: 'twinNotFound' };

export interface ModelInfo {
  id: string;
  /** Direct bases named in the model's `extends`. */
  extends: string[];
}

export interface CallOptions {
  /** W3C trace context of the change being propagated; forwarded to ADT. */
  traceparent?: string;
}

/**
 * Failures are thrown as the gateway throws them (shared/adt `AdtRequestError`): what adt's
 * `isRetriable` calls retriable (throttling, 5xx, timeouts) fails the invocation so Event Grid
 * redelivers; any other ADT refusal is permanent for the rule (dead-lettered).
 */
export interface RollupPort {
  /** undefined when the twin does not exist. */
  getTwin(id: string, options?: CallOptions): Promise<TwinSnapshot | undefined>;
  /** This process's copy of a twin (kept current with its own writes), without a request; may be
   * stale when others wrote since, so only a write guarded by its ETag may rely on it. */
  cachedTwin?(id: string): TwinSnapshot | undefined;
  /** Outgoing relationships of `id` named `relationshipName`; [] when the twin does not exist. */
  listOutgoing(id: string, relationshipName: string, options?: CallOptions): Promise<OutgoingLink[]>;
  /** Incoming relationships of `id`; [] when the twin does not exist. */
  listIncoming(id: string, options?: CallOptions): Promise<IncomingLink[]>;
  updateTwin(id: string, ops: JsonPatchOperation[], options: CallOptions & { ifMatch: string }): Promise<PatchOutcome>;
  /** undefined when the model does not exist. */
  getModel(id: string, options?: CallOptions): Promise<ModelInfo | undefined>;
  /**
   * Children of `parentId` through `relationshipName` (pointing either way), in one paged query.
   * The query index may lag writes by up to 10 s; callers re-read after the lag.
   */
  queryChildren?(
    parentId: string,
    relationshipName: string,
    direction: RelationshipDirection,
    options?: CallOptions,
  ): Promise<QueriedChild[]>;
  /** Any ADT query, every page (reconcile reads whole levels this way). */
  query?(text: string, options?: CallOptions): Promise<unknown[]>;
  /** One page of a query, with its `query-charge` (the conditions sweep pages within a bound). */
  queryPage?(text: string, page: QueryPageRequest, options?: CallOptions): Promise<QueryPage>;
}

/** Reads done by one recompute; reported so the cost of a roll-up is visible. */
export interface ReadCounter {
  twinReads: number;
  relationshipLists: number;
  queries: number;
  modelReads: number;
}

export function emptyReadCounter(): ReadCounter {
  return { twinReads: 0, relationshipLists: 0, queries: 0, modelReads: 0 };
}

/** Wraps a port so every read is counted into `counter`. */
export function countingPort(port: RollupPort, counter: ReadCounter): RollupPort {
  const counted: RollupPort = {
    getTwin(id, o) {
      counter.twinReads += 1;
      return port.getTwin(id, o);
    },
    listOutgoing(id, name, o) {
      counter.relationshipLists += 1;
      return port.listOutgoing(id, name, o);
    },
    listIncoming(id, o) {
      counter.relationshipLists += 1;
      return port.listIncoming(id, o);
    },
    updateTwin: (id, ops, o) => port.updateTwin(id, ops, o),
    ...(port.cachedTwin && { cachedTwin: port.cachedTwin.bind(port) }),
    getModel(id, o) {
      counter.modelReads += 1;
      return port.getModel(id, o);
    },
  };
  const queryChildren = port.queryChildren?.bind(port);
  if (queryChildren) {
    counted.queryChildren = (id, name, direction, o) => {
      counter.queries += 1;
      return queryChildren(id, name, direction, o);
    };
  }
  const query = port.query?.bind(port);
  if (query) {
    counted.query = (text, o) => {
      counter.queries += 1;
      return query(text, o);
    };
  }
  return counted;
}
