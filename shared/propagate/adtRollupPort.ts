// The roll-up port over the one ADT gateway (shared/adt/): no second client, no second retry loop.
import { AdtDeadlineExceededError, type AdtGateway, AdtRequestError, type CallContext, type CallStats, emptyCallStats, isRetriable, type JsonPatchOperation, type Twin } from '../adt';
import { type Clock, systemClock } from '../common';
import { type CallOptions, type IncomingLink, type ModelInfo, type OutgoingLink, type PatchOutcome, type QueriedChild, quoteQueryString, type RelationshipDirection, type RollupPort, RollupPortError, type TwinSnapshot } from '../rollup';

export interface AdtRollupPortOptions {
  /** How long one call may keep retrying transient failures before the invocation fails. */
  callBudgetMs?: number;
  clock?: Pick<Clock, 'now'>;
}

function wrap(operation: string, error: unknown): unknown {
  if (error instanceof AdtDeadlineExceededError) return new RollupPortError(error.message, true, { cause: error });
  if (error instanceof AdtRequestError) {
    return new RollupPortError(`${operation} failed: ${error.status ?? 'no response'} ${error.code ?? ''} ${error.message}`.trim(), isRetriable(error), { cause: error });
  }
  return error;
}

const isKind = (error: unknown, kind: AdtRequestError['kind']) => error instanceof AdtRequestError && error.kind === kind;

export class AdtRollupPort implements RollupPort {
  /** Requests, retries and 429s of every call made through this port. */
  readonly stats: CallStats = emptyCallStats();
  private readonly budgetMs: number;
  private readonly clock: Pick<Clock, 'now'>;

  constructor(
    private readonly gateway: AdtGateway,
    options: AdtRollupPortOptions = {},
  ) {
    this.budgetMs = options.callBudgetMs ?? 60_000;
    this.clock = options.clock ?? systemClock;
  }

  async getTwin(id: string, options?: CallOptions): Promise<TwinSnapshot | undefined> {
    try {
      const { twin, etag } = await this.gateway.getTwin(id, this.ctx(options));
      const tag = etag ?? twin.$etag;
      if (tag === undefined) throw new RollupPortError(`ADT returned twin ${id} without an ETag; cannot write it safely.`, false);
      return { twin: twin as Twin, etag: tag };
    } catch (error) {
      if (isKind(error, 'twinNotFound')) return undefined;
      throw wrap(`GET twin ${id}`, error);
    }
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
      throw wrap(`list relationships of ${id}`, error);
    }
  }

  async listIncoming(id: string, options?: CallOptions): Promise<IncomingLink[]> {
    try {
      const rels = await this.gateway.listIncomingRelationships(id, this.ctx(options));
      return rels.map((r) => ({ relationshipId: r.relationshipId, relationshipName: r.relationshipName, sourceId: r.sourceId }));
    } catch (error) {
      if (isKind(error, 'twinNotFound')) return [];
      throw wrap(`list incoming relationships of ${id}`, error);
    }
  }

  async updateTwin(id: string, ops: JsonPatchOperation[], options: CallOptions & { ifMatch: string }): Promise<PatchOutcome> {
    try {
      const { etag } = await this.gateway.updateTwin(id, ops, { ...this.ctx(options), ifMatch: options.ifMatch });
      return { kind: 'written', etag: etag ?? '' };
    } catch (error) {
      if (isKind(error, 'preconditionFailed')) return { kind: 'preconditionFailed' };
      if (isKind(error, 'twinNotFound')) return { kind: 'twinNotFound' };
      throw wrap(`PATCH twin ${id}`, error);
    }
  }

  async getModel(id: string, options?: CallOptions): Promise<ModelInfo | undefined> {
    try {
      const index = await this.gateway.modelIndex(id, this.ctx(options));
      const view = index.interface(id);
      return view ? { id, extends: view.extendsChain } : undefined;
    } catch (error) {
      if (error instanceof AdtRequestError && error.status === 404) return undefined;
      throw wrap(`GET model ${id}`, error);
    }
  }

  async queryChildren(parentId: string, relationshipName: string, direction: RelationshipDirection, options?: CallOptions): Promise<QueriedChild[]> {
    const name = relationshipName.replace(/[^A-Za-z0-9_]/g, '');
    // A JOIN follows relationships from source to target, so the pinned parent is P either way.
    const query =
      direction === 'incoming'
        ? `SELECT C, R FROM DIGITALTWINS C JOIN P RELATED C.${name} R WHERE P.$dtId = ${quoteQueryString(parentId)}`
        : `SELECT C, R FROM DIGITALTWINS P JOIN C RELATED P.${name} R WHERE P.$dtId = ${quoteQueryString(parentId)}`;
    const rows = await this.query(query, options);
    return rows.flatMap((row) => {
      const { C: child, R: rel } = (row ?? {}) as { C?: unknown; R?: { $relationshipId?: unknown; $sourceId?: unknown } };
      if (child === null || typeof child !== 'object' || typeof rel?.$relationshipId !== 'string' || typeof rel.$sourceId !== 'string') return [];
      return [{ twin: child as Twin, relationshipId: rel.$relationshipId, sourceId: rel.$sourceId }];
    });
  }

  async query(text: string, options?: CallOptions): Promise<unknown[]> {
    try {
      return await this.gateway.query(text, this.ctx(options));
    } catch (error) {
      throw wrap(`query ${text}`, error);
    }
  }

  private ctx(options: CallOptions | undefined): CallContext {
    return { deadline: this.clock.now() + this.budgetMs, stats: this.stats, ...(options?.traceparent ? { traceparent: options.traceparent } : {}) };
  }
}
