// DTDL models fetched from ADT (with dependencies) once per model id and kept for the process.
// Models change rarely; a redeployed model needs a restart (or a new version id, as DTDL intends).

import { buildModelIndex, type ModelIndex } from '../dtdl';

export type ModelFetcher = (modelIds: string[]) => Promise<unknown[]>;

export class ModelCatalog {
  private readonly indexes = new Map<string, Promise<ModelIndex>>();

  /** Index containing `modelId` and everything it depends on. Failures are not cached. */
  indexFor(modelId: string, fetch: ModelFetcher): Promise<ModelIndex> {
    let pending = this.indexes.get(modelId);
    if (!pending) {
      pending = fetch([modelId]).then((documents) => buildModelIndex(documents));
      this.indexes.set(modelId, pending);
      pending.catch(() => this.indexes.delete(modelId));
    }
    return pending;
  }
}
