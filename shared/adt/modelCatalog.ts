// DTDL models fetched from ADT (with dependencies), kept for `ttlMs` per model id. ADT cannot change
// a model in place, but one can be deleted and uploaded again under the same id: after the TTL the
// next look-up fetches it afresh (the modelCacheSeconds setting). Failures are never cached.

import { type Clock, LruCache } from '../common';
import { buildModelIndex, type ModelIndex } from '../dtdl';

export type ModelFetcher = (modelIds: string[]) => Promise<unknown[]>;

export interface ModelCatalogOptions {
  ttlMs: number;
  clock?: Pick<Clock, 'now'>;
  /** Model ids kept at most (each entry holds the model and its dependencies). */
  capacity?: number;
}

export class ModelCatalog {
  private readonly indexes: LruCache<string, Promise<ModelIndex>>;

  constructor(options: ModelCatalogOptions) {
    this.indexes = new LruCache({
      capacity: options.capacity ?? 2_000,
      ttlMs: options.ttlMs,
      ...(options.clock && { clock: options.clock }),
    });
  }

  /** Index containing `modelId` and everything it depends on. */
  indexFor(modelId: string, fetch: ModelFetcher): Promise<ModelIndex> {
    let pending = this.indexes.get(modelId);
    if (!pending) {
      const fetched = fetch([modelId]).then((documents) => buildModelIndex(documents));
      pending = fetched;
      this.indexes.set(modelId, fetched);
      fetched.catch(() => {
        if (this.indexes.get(modelId) === fetched) this.indexes.delete(modelId);
      });
    }
    return pending;
  }
}
