// The ingest planner: the compiled pipeline configuration (mapping, coalescing) wired to the ADT
// gateway for what mapping must look up — query-based twin ids, each twin's model and the DTDL
// interfaces. With the model known, every value is validated BEFORE coalescing, so an invalid value
// is dead-lettered alone and the newest valid value is the one written.

import { AsyncLocalStorage } from 'node:async_hooks';
import { AdtRequestError } from '../adt/errors';
import type { AdtGateway, CallContext } from '../adt/gateway';
import type { CompiledPipelineConfig } from '../config/types';
import { validateValue, type InterfaceView, type ModelIndex } from '../dtdl';
import type { DeviceMessage } from './deviceMessage';
import type { IngestPlan, IngestPlanner } from './ingestPlan';
import type { MappingContext } from './mapMessage';
import { planIngest } from './planIngest';
import { createTwinIdResolver } from './twinResolver';

/** Failures a later attempt cannot fix: the look-up answers "unknown" and the write path decides. */
function isPermanent(error: unknown): boolean {
  return error instanceof AdtRequestError && error.kind !== 'throttled' && error.kind !== 'transient';
}

/** Process-wide DTDL interfaces, from the gateway's model catalog (one fetch per model). */
class InterfaceViews {
  private readonly indexes: ModelIndex[] = [];

  constructor(private readonly gateway: AdtGateway) {}

  async load(modelId: string, ctx: CallContext): Promise<void> {
    if (this.lookup(modelId)) return;
    try {
      const index = await this.gateway.modelIndex(modelId, ctx);
      if (!this.indexes.includes(index)) this.indexes.push(index);
    } catch (error) {
      // A model ADT does not have: mapping treats it as unknown and the gateway rejects the values.
      if (!isPermanent(error)) throw error;
    }
  }

  lookup(interfaceId: string): InterfaceView | undefined {
    for (const index of this.indexes) {
      const view = index.interface(interfaceId);
      if (view) return view;
    }
    return undefined;
  }
}

export function createIngestPlanner(config: CompiledPipelineConfig, gateway: AdtGateway): IngestPlanner {
  // Twin-id queries are cached across batches; each query still runs under its own batch's deadline.
  const batch = new AsyncLocalStorage<CallContext>();
  const currentContext = (): CallContext => {
    const ctx = batch.getStore();
    if (!ctx) throw new Error('An ingest look-up ran outside a batch; call the planner with the batch CallContext.');
    return ctx;
  };
  const resolver = createTwinIdResolver({ query: (query) => gateway.query(query, currentContext()) });
  const views = new InterfaceViews(gateway);
  const unknownTwin = config.ingest.unknownTwin;
  const createModel = unknownTwin.action === 'create' ? unknownTwin.modelId : undefined;

  /** Cache first; else one read (it also primes the cache the write path uses, so no extra request). */
  const readModel = async (twinId: string, ctx: CallContext): Promise<string | null | undefined> => {
    const cached = gateway.twins.get(twinId);
    if (cached) return cached.twin.$metadata.$model;
    try {
      return (await gateway.readTwin(twinId, ctx)).twin.$metadata.$model;
    } catch (error) {
      // A missing twin is created with the configured model, so its values are checked against that.
      if (error instanceof AdtRequestError && error.kind === 'twinNotFound') return createModel ?? null;
      if (!isPermanent(error)) throw error;
      return undefined;
    }
  };

  return (messages: DeviceMessage[], ctx: CallContext): Promise<IngestPlan> => {
    // One look-up per twin per batch, shared by every message addressing it.
    const twinModels = new Map<string, Promise<string | null | undefined>>();
    const context: MappingContext = {
      resolveTwins: (request) => resolver.resolve(request),
      models: (interfaceId) => views.lookup(interfaceId),
      loadModel: (modelId) => views.load(modelId, ctx),
      twinModel: (twinId) => {
        let pending = twinModels.get(twinId);
        if (!pending) twinModels.set(twinId, (pending = readModel(twinId, ctx)));
        return pending;
      },
      validateValue,
    };
    return batch.run(ctx, () => planIngest(messages, config, context));
  };
}
