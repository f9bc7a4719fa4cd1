// Model inheritance learned from ADT: does a twin of model M count for a rule written for model B?
import { type Clock, LruCache } from '../../common';
import type { CallOptions, RollupPort } from './rollupPort';

export interface ModelHierarchyOptions {
  /** How long a fetched model's `extends` list is trusted (modelCacheSeconds). */
  ttlMs: number;
  clock?: Pick<Clock, 'now'>;
}

export class ModelHierarchy {
  private readonly cache: LruCache<string, string[]>;

  constructor(
    private readonly port: Pick<RollupPort, 'getModel'>,
    options: ModelHierarchyOptions,
  ) {
    this.cache = new LruCache({ capacity: 10_000, ttlMs: options.ttlMs, ...(options.clock && { clock: options.clock }) });
  }

  /** True when `model` is `base` or extends it, directly or through other models. */
  async isA(model: string, base: string, call?: CallOptions): Promise<boolean> {
    if (model === base) return true;
    const seen = new Set<string>([model]);
    let frontier = [model];
    // Breadth-first over `extends`; `seen` stops a malformed cyclic model set from looping.
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const id of frontier) {
        for (const parent of await this.bases(id, call)) {
          if (parent === base) return true;
          if (!seen.has(parent)) {
            seen.add(parent);
            next.push(parent);
          }
        }
      }
      frontier = next;
    }
    return false;
  }

  private async bases(id: string, call?: CallOptions): Promise<string[]> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const model = await this.port.getModel(id, call);
    const bases = model?.extends ?? [];
    this.cache.set(id, bases);
    return bases;
  }
}
