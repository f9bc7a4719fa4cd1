// The roll-up port over the one ADT gateway (shared/adt/), as ingest uses it: no second client, no
// second retry loop, and no second error vocabulary — the gateway's AdtRequestError reaches the
// engine as it is, and adt's `isRetriable` decides what is worth retrying (see isPermanentRollupError).
// Only "not there" answers become values (undefined, [], an outcome), because the engine acts on them.
import {
  type AdtGateway,
  AdtRequestError,
  type CallContext,
  type CallStats,
  emptyCallStats,
  type JsonPatchOperation,
  type QueryPage,
  type QueryPageRequest,
  type Twin,
} from '../../adt';
import { type Clock, systemClock } from '../../common';
import type { RelationshipDirection } from '../rules';
import {
  type CallOptions,
  type IncomingLink,
  type ModelInfo,
  type OutgoingLink,
  type PatchOutcome,
  type QueriedChild,
  quoteQueryString,
  type RollupPort,
  type TwinSnapshot,
} from './rollupPort';

export interface GatewayRollupPortOptions {
  /** How long one call may keep retrying transient failures before the invocation fails. */
  callBudgetMs?: number;
  clock?: Pick<Clock, 'now'>;
}

const isKind = (error: unknown, kind: AdtRequestError['kind']) => error instanceof AdtRequestError && error.kind === kind;

export class GatewayRollupPort implements RollupPort {
  /** Requests, retries and 429s of every call made through this port. */
  readonly stats: CallStats = emptyCallStats();
  private readonly budgetMs: number;
  private readonly clock: Pick<Clock, 'now'>;

  constructor(
    private readonly gateway: AdtGateway,
    options: GatewayRollupPortOptions = {},
  ) {
    this.budgetMs = options.callBudgetMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
  }

  async getTwin(id: string, options?: CallOptions): Promise<TwinSnapshot | undefined> {
    let read;
    try {
      read = await this.gateway.getTwin(id, this.ctx(options));
    } catch (error) {
      if (isKind(error, 'twinNotFound')) return undefined;
      throw error;
    }
    const tag = read.etag ?? read.twin.$etag;
    // A 200 without an ETag cannot be written safely; retrying will not add one (a permanent kind).
    if (tag === undefined)
      throw new AdtRequestError(`ADT returned twin ${id} without an ETag; cannot write it safely.`, 200, 'MissingETag');
    return { twin: read.twin as Twin, etag: tag };
  }

  cachedTwin(id: string): TwinSnapshot | undefined {
    const cached = this.gateway.cachedTwin(id);
    const etag = cached?.etag ?? cached?.twin.$etag;
    return cached && typeof etag === 'string' ? { twin: structuredClone(cached.twin) as Twin, etag } : undefined;
  }

  async listOutgoing(id: string, relationshipName: string, options?: CallOptions): Promise<OutgoingLink[]> {
    try {
      const rels = await this.gateway.listRelationships(id, relationshipName, this.ctx(options));
      return rels.map((r) => ({ relationshipId: r.$relationshipId, relationshipName: r.$relationshipName, targetId: r.$targetId }));
    } catch (error) {
      if (isKind(error, 'twinNotFound')) return [];
      throw error;
    }
  }

  async listIncoming(id: string, options?: CallOptions): Promise<IncomingLink[]> {
    try {
      const rels = await this.gateway.listIncomingRelationships(id, this.ctx(options));
      return rels.map((r) => ({ relationshipId: r.relationshipId, relationshipName: r.relationshipName, sourceId: r.sourceId }));
    } catch (error) {
      if (isKind(error, 'twinNotFound')) return [];
      throw error;
    }
  }

  async updateTwin(id: string, ops: JsonPatchOperation[], options: CallOptions & { ifMatch: string }): Promise<PatchOutcome> {
    try {
      const { etag } = await this.gateway.updateTwin(id, ops, { ...this.ctx(options), ifMatch: options.ifMatch });
      return { kind: 'written', etag: etag ?? '' };
    } catch (error) {
      if (isKind(error, 'preconditionFailed')) return { kind: 'preconditionFailed' };
      if (isKind(error, 'twinNotFound')) return { kind: 'twinNotFound' };
      throw error;
    }
  }

  async getModel(id: string, options?: CallOptions): Promise<ModelInfo | undefined> {
    try {
      const index = await this.gateway.modelIndex(id, this.ctx(options));
      const view = index.interface(id);
      return view ? { id, extends: view.extendsChain } : undefined;
    } catch (error) {
      if (error instanceof AdtRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  async queryChildren(
    parentId: string,
    relationshipName: string,
    direction: RelationshipDirection,
    options?: CallOptions,
  ): Promise<QueriedChild[]> {
    const name = relationshipName.replace(/[^A-Za-z0-9_]/g, '');
    // A JOIN follows relationships from source to target, so the pinned parent is P either way.
    const query =
      direction === 'incoming'
        ? `SELECT C, R FROM DIGITALTWINS C JOIN P RELATED C.${name} R WHERE P.$dtId = ${quoteQueryString(parentId)}`
        : `SELECT C, R FROM DIGITALTWINS P JOIN C RELATED P.${name} R WHERE P.$dtId = ${quoteQueryString(parentId)}`;
    const rows = await this.query(query, options);
    return rows.flatMap((row) => {
      const { C: child, R: rel } = (row ?? {}) as { C?: unknown; R?: { $relationshipId?: unknown; $sourceId?: unknown } };
      if (child === null || typeof child !== 'object' || typeof rel?.$relationshipId !== 'string' || typeof rel.$sourceId !== 'string')
        return [];
      return [{ twin: child as Twin, relationshipId: rel.$relationshipId, sourceId: rel.$sourceId }];
    });
  }

  query(text: string, options?: CallOptions): Promise<unknown[]> {
    return this.gateway.query(text, this.ctx(options));
  }

  queryPage(text: string, page: QueryPageRequest, options?: CallOptions): Promise<QueryPage> {
    return this.gateway.queryPage(text, page, this.ctx(options));
  }

  private ctx(options: CallOptions | undefined): CallContext {
    return {
      deadline: this.clock.now() + this.budgetMs,
      stats: this.stats,
      ...(options?.traceparent ? { traceparent: options.traceparent } : {}),
    };
  }
}
