// The ingest planner: one batch of decoded messages → what to write. The ADT look-ups mapping needs
// (query-based twin ids, each twin's model, DTDL interfaces) are gathered for the whole batch and
// answered through the gateway under the batch's deadline; then every message is mapped (rule or
// model-driven mapper) and every value checked against the twin's model BEFORE coalescing, so an
// invalid value is refused alone and the newest valid value is the one written; then updates are
// coalesced to one per twin property.

import {
  AdtDeadlineExceededError,
  type AdtGateway,
  AdtRequestError,
  type CallContext,
  isRetriable,
  type TelemetryMessage,
} from '../../adt';
import { errorMessage } from '../../common';
import { type InterfaceView, type ModelIndex, validateValue } from '../../dtdl';
import type { CompiledIngest } from '../config';
import {
  createTwinIdResolver,
  type Lookups,
  type LookupSources,
  type Mapper,
  mappersFor,
  type MappingResult,
  mapPrepared,
  prepareBatch,
  type PreparedMessage,
} from '../map';
import type { DeviceMessage, EventRefusal, LifecycleAction, PropertyUpdate, TwinUpdate } from '../message';
import { coalesce } from './coalesce';

/** Telemetry for one message to one twin (or component). */
export interface PlannedTelemetry extends Omit<TelemetryMessage, 'messageId'> {
  /** Deterministic ADT Message-Id; when absent processBatch derives one from the event. */
  messageId?: string;
  eventKey: string;
  traceparent?: string;
}

export interface IngestPlan {
  /** One entry per twin; each update's eventKeys name every message it carries. */
  twinUpdates: TwinUpdate[];
  telemetry: PlannedTelemetry[];
  /** Messages deliberately ignored (no mapping matched, filtered by a rule). */
  filtered: Array<{ eventKey: string; reason: string }>;
  /** What mapping refused (a value that does not fit the model, a missing twin id…): dead-lettered. */
  rejected: EventRefusal[];
  /** Property values superseded by a later value for the same twin property within the batch. */
  coalescedValues: number;
  /** Those values (a dead letter for one of them carries its own value). */
  superseded?: PropertyUpdate[];
  /** Source times too far in the future replaced by the enqueued time (futureSourceTime: clamp). */
  clampedSourceTimes?: number;
  /** Twins device lifecycle events create (before the batch's writes) and retire (after them). */
  lifecycle?: LifecycleAction[];
}

/** `ctx` bounds the ADT look-ups planning may make (twin id queries, twin models) by the batch deadline. */
export type IngestPlanner = (messages: DeviceMessage[], ctx: CallContext) => IngestPlan | Promise<IngestPlan>;

type MappingOutcome = MappingResult | { failed: string };

/** Messages mapped between two turns of the event loop (≈ 1–2 ms of work). */
const yieldEvery = 256;

/** Throttling and the deadline fail the batch (it is redelivered); any other look-up failure stays with its messages. */
function isFatal(error: unknown): boolean {
  return isRetriable(error) || error instanceof AdtDeadlineExceededError;
}

/**
 * Maps every message, in batch order: first the batch's look-ups are gathered and answered in
 * parallel (map/lookups), then each message maps synchronously. A message whose look-up failed is
 * refused alone (mapping-failed).
 */
async function mapAll(
  messages: readonly DeviceMessage[],
  mappers: readonly Mapper[],
  ingest: CompiledIngest,
  sources: LookupSources,
): Promise<{ outcomes: MappingOutcome[]; lookups: Lookups }> {
  const { prepared, lookups } = await prepareBatch(messages, ingest, mappers, sources, isFatal);
  const outcomes = new Array<MappingOutcome>(messages.length);
  for (let position = 0; position < prepared.length; position++) {
    // A batch of thousands maps for tens of milliseconds; letting the event loop in now and then keeps
    // the writes of other partitions flowing (their responses, their budget timers) meanwhile.
    if (position > 0 && position % yieldEvery === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      outcomes[position] = mapPrepared(mappers, prepared[position] as PreparedMessage, lookups);
    } catch (error) {
      if (isFatal(error)) throw error;
      outcomes[position] = { failed: `Mapping failed: ${errorMessage(error)}` };
    }
  }
  return { outcomes, lookups };
}

/** Maps and coalesces a batch with the given look-ups (none: pure mapping, as in tests and previews). */
export async function planIngest(
  messages: readonly DeviceMessage[],
  config: CompiledIngest | { ingest: CompiledIngest },
  sources: LookupSources = {},
): Promise<IngestPlan> {
  const ingest = 'ingest' in config ? config.ingest : config;
  const plan: IngestPlan = { twinUpdates: [], telemetry: [], filtered: [], rejected: [], coalescedValues: 0 };
  const updates: PropertyUpdate[] = [];
  let traceparents: Map<string, string> | undefined;
  plan.clampedSourceTimes = 0;
  const { outcomes, lookups } = await mapAll(messages, mappersFor(ingest), ingest, sources);
  for (let position = 0; position < messages.length; position++) {
    const message = messages[position] as DeviceMessage;
    const result = outcomes[position] as MappingOutcome;
    if ('failed' in result) {
      plan.rejected.push({ eventKey: message.eventKey, reason: 'mapping-failed', detail: result.failed });
      continue;
    }
    plan.clampedSourceTimes += result.clampedSourceTimes;
    for (const update of result.propertyUpdates) updates.push(update);
    for (const item of result.telemetry) {
      // Per item (`:1`, `:2` for fan-out) so ADT's Message-Id de-duplication keeps every one.
      const planned: PlannedTelemetry = {
        twinId: item.twinId,
        payload: item.payload,
        messageId: item.messageId,
        sourceTime: item.sourceTime,
        eventKey: item.eventKey,
      };
      if (item.component !== undefined) planned.component = item.component;
      if (message.traceparent !== undefined) planned.traceparent = message.traceparent;
      plan.telemetry.push(planned);
    }
    for (const part of result.filtered) plan.filtered.push({ eventKey: message.eventKey, reason: part.reason });
    for (const part of result.rejected) plan.rejected.push({ eventKey: message.eventKey, ...part });
    if (result.lifecycle) for (const action of result.lifecycle) (plan.lifecycle ??= []).push(action);
    if (
      result.propertyUpdates.length === 0 &&
      result.telemetry.length === 0 &&
      result.filtered.length === 0 &&
      result.rejected.length === 0 &&
      result.lifecycle === undefined
    ) {
      plan.filtered.push({ eventKey: message.eventKey, reason: 'nothing-mapped' });
    }
    if (message.traceparent !== undefined) (traceparents ??= new Map()).set(message.eventKey, message.traceparent);
  }

  const coalesced = coalesce(updates);
  plan.coalescedValues = coalesced.coalesced;
  plan.superseded = coalesced.superseded;
  const policy = ingest.unknownTwin;
  const ifMissing: TwinUpdate['ifMissing'] =
    policy.action === 'create' && policy.modelId !== undefined
      ? { policy: 'create', modelId: policy.modelId, properties: policy.properties }
      : { policy: 'deadLetter' };
  // unknownTwin model: a twin the batch's messages name a model for is created with it (telemetry alone included).
  const fromModel = (twinId: string): TwinUpdate['ifMissing'] | undefined => {
    const modelId = policy.action === 'model' ? lookups.createdModel(twinId) : undefined;
    return modelId === undefined ? undefined : { policy: 'create', modelId, properties: policy.properties };
  };
  const updated = new Set<string>();
  for (const twin of coalesced.twins) {
    updated.add(twin.twinId);
    const twinUpdate: TwinUpdate = { twinId: twin.twinId, updates: twin.updates, ifMissing: fromModel(twin.twinId) ?? ifMissing };
    if (traceparents) {
      let traceparent: string | undefined;
      for (const update of twin.updates) traceparent ??= traceparents.get(update.eventKeys[0] as string);
      if (traceparent !== undefined) twinUpdate.traceparent = traceparent;
    }
    plan.twinUpdates.push(twinUpdate);
  }
  for (const item of plan.telemetry) {
    const create = updated.has(item.twinId) ? undefined : fromModel(item.twinId);
    if (create === undefined) continue;
    updated.add(item.twinId);
    plan.twinUpdates.push({ twinId: item.twinId, updates: [], ifMissing: create });
  }
  return plan;
}

/** The DTDL interfaces one batch has loaded, through the gateway's model catalog (its TTL applies). */
class BatchInterfaces {
  private readonly indexes: ModelIndex[] = [];

  constructor(
    private readonly gateway: AdtGateway,
    private readonly ctx: CallContext,
  ) {}

  /** Ready at once when the model is already loaded. */
  load(modelId: string): void | Promise<void> {
    return this.lookup(modelId) ? undefined : this.fetch(modelId);
  }

  private async fetch(modelId: string): Promise<void> {
    try {
      const index = await this.gateway.modelIndex(modelId, this.ctx);
      if (!this.indexes.includes(index)) this.indexes.push(index);
    } catch (error) {
      // A model ADT does not have: mapping treats it as unknown and the write path refuses the values.
      if (isRetriable(error) || !(error instanceof AdtRequestError)) throw error;
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

/** The planner the ingest function runs: the compiled ingest section wired to the gateway. */
export function createIngestPlanner(ingest: CompiledIngest, gateway: AdtGateway): IngestPlanner {
  // Twin-id queries are cached across batches; each query still runs under its own batch's deadline.
  const resolver = createTwinIdResolver();
  const createModel = ingest.unknownTwin.action === 'create' ? ingest.unknownTwin.modelId : undefined;

  /** Cache first; else one read (it also primes the cache the write path uses, so no extra request). */
  const readModel = (twinId: string, ctx: CallContext): string | null | undefined | Promise<string | null | undefined> => {
    const cached = gateway.guardCopy(twinId);
    return cached ? cached.twin.$metadata.$model : fetchModel(twinId, ctx);
  };
  const fetchModel = async (twinId: string, ctx: CallContext): Promise<string | null | undefined> => {
    try {
      return (await gateway.getTwin(twinId, ctx)).twin.$metadata.$model;
    } catch (error) {
      // A missing twin is created with the configured model, so its values are checked against that.
      if (error instanceof AdtRequestError && error.kind === 'twinNotFound') return createModel ?? null;
      if (isRetriable(error) || !(error instanceof AdtRequestError)) throw error;
      return undefined;
    }
  };

  return (messages, ctx) => {
    // Each is asked once per twin, model or query per batch (map/lookups gathers them).
    const interfaces = new BatchInterfaces(gateway, ctx);
    const sources: LookupSources = {
      resolveTwins: (request) => resolver.resolve(request, (query) => gateway.query(query, ctx)),
      models: (interfaceId) => interfaces.lookup(interfaceId),
      loadModel: (modelId) => interfaces.load(modelId),
      twinModel: (twinId) => readModel(twinId, ctx),
      preloadTwins: async (twinIds) => void (await gateway.preloadTwins(twinIds, ctx)),
      validateValue,
    };
    return planIngest(messages, ingest, sources);
  };
}
