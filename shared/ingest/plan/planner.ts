// The ingest planner: one batch of decoded messages → what to write. Every message is mapped (rule
// or model mapper), every value validated against the twin's model BEFORE coalescing, so an invalid
// value is refused alone and the newest valid value is the one written; then updates are coalesced
// to one per twin property. The ADT look-ups mapping needs (query-based twin ids, each twin's model,
// DTDL interfaces) go through the gateway under the batch's deadline.

import { AdtDeadlineExceededError, type AdtGateway, AdtRequestError, type CallContext, isRetriable, type TelemetryMessage } from '../../adt';
import { type Awaitable, errorMessage, isPromise } from '../../common';
import { type InterfaceView, type ModelIndex, validateValue } from '../../dtdl';
import type { CompiledIngest } from '../config';
import { createTwinIdResolver, type Mapper, mappersFor, type MappingContext, type MappingResult, mapWith } from '../map';
import type { DeviceMessage, EventRefusal, PropertyUpdate, TwinUpdate } from '../message';
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
}

/** `ctx` bounds the ADT look-ups planning may make (twin id queries, twin models) by the batch deadline. */
export type IngestPlanner = (messages: DeviceMessage[], ctx: CallContext) => IngestPlan | Promise<IngestPlan>;

/** Messages of one batch waiting on look-ups at once (their look-ups still queue in the gateway's budgets). */
const mappingConcurrency = 64;

type MappingOutcome = MappingResult | { failed: string };

/** Messages mapped between two turns of the event loop (≈ 1–2 ms of work). */
const yieldEvery = 256;

/** A mapping error: a transient look-up failure fails the batch (redelivered); anything else stays with its message. */
function outcomeOfError(error: unknown): MappingOutcome {
  if (isRetriable(error) || error instanceof AdtDeadlineExceededError) throw error;
  return { failed: `Mapping failed: ${errorMessage(error)}` };
}

/**
 * Maps every message, in batch order. A message whose look-ups are all in memory maps at once; one
 * that must wait (a first-touch twin read, a model, a JSONata expression) runs alongside up to
 * `mappingConcurrency` others, so a batch's first-touch reads overlap within the gateway's budgets
 * instead of running one after the other.
 */
async function mapAll(messages: readonly DeviceMessage[], mappers: readonly Mapper[], ingest: CompiledIngest, context: MappingContext): Promise<MappingOutcome[]> {
  const outcomes = new Array<MappingOutcome>(messages.length);
  const waiting = new Set<Promise<void>>();
  let fatal: { error: unknown } | undefined;
  for (let position = 0; position < messages.length && !fatal; position++) {
    // A batch of thousands maps for tens of milliseconds; letting the event loop in now and then keeps
    // the writes of other partitions flowing (their responses, their budget timers) meanwhile.
    if (position > 0 && position % yieldEvery === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    let mapped: Awaitable<MappingResult>;
    try {
      mapped = mapWith(mappers, messages[position] as DeviceMessage, ingest, context);
    } catch (error) {
      outcomes[position] = outcomeOfError(error);
      continue;
    }
    if (!isPromise(mapped)) {
      outcomes[position] = mapped;
      continue;
    }
    const settled: Promise<void> = mapped
      .then(
        (result) => {
          outcomes[position] = result;
        },
        (error: unknown) => {
          try {
            outcomes[position] = outcomeOfError(error);
          } catch (retriable) {
            // Kept, not thrown here: the batch fails once every started mapping has settled.
            fatal ??= { error: retriable };
          }
        },
      )
      .finally(() => waiting.delete(settled));
    waiting.add(settled);
    if (waiting.size >= mappingConcurrency) await Promise.race(waiting);
  }
  await Promise.all(waiting);
  if (fatal) throw fatal.error;
  return outcomes;
}

/** Maps and coalesces a batch with the given look-ups (none: pure mapping, as in tests and previews). */
export async function planIngest(messages: readonly DeviceMessage[], config: CompiledIngest | { ingest: CompiledIngest }, context: MappingContext = {}): Promise<IngestPlan> {
  const ingest = 'ingest' in config ? config.ingest : config;
  const plan: IngestPlan = { twinUpdates: [], telemetry: [], filtered: [], rejected: [], coalescedValues: 0 };
  const updates: PropertyUpdate[] = [];
  let traceparents: Map<string, string> | undefined;
  plan.clampedSourceTimes = 0;
  const outcomes = await mapAll(messages, mappersFor(ingest), ingest, context);
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
      const planned: PlannedTelemetry = { twinId: item.twinId, payload: item.payload, messageId: item.messageId, sourceTime: item.sourceTime, eventKey: item.eventKey };
      if (item.component !== undefined) planned.component = item.component;
      if (message.traceparent !== undefined) planned.traceparent = message.traceparent;
      plan.telemetry.push(planned);
    }
    for (const part of result.filtered) plan.filtered.push({ eventKey: message.eventKey, reason: part.reason });
    for (const part of result.rejected) plan.rejected.push({ eventKey: message.eventKey, ...part });
    if (result.propertyUpdates.length === 0 && result.telemetry.length === 0 && result.filtered.length === 0 && result.rejected.length === 0) {
      plan.filtered.push({ eventKey: message.eventKey, reason: 'nothing-mapped' });
    }
    if (message.traceparent !== undefined) (traceparents ??= new Map()).set(message.eventKey, message.traceparent);
  }

  const coalesced = coalesce(updates);
  plan.coalescedValues = coalesced.coalesced;
  plan.superseded = coalesced.superseded;
  const policy = ingest.unknownTwin;
  const ifMissing: TwinUpdate['ifMissing'] =
    policy.action === 'create' && policy.modelId !== undefined ? { policy: 'create', modelId: policy.modelId, properties: policy.properties } : { policy: 'deadLetter' };
  for (const twin of coalesced.twins) {
    const twinUpdate: TwinUpdate = { twinId: twin.twinId, updates: twin.updates, ifMissing };
    if (traceparents) {
      let traceparent: string | undefined;
      for (const update of twin.updates) traceparent ??= traceparents.get(update.eventKeys[0] as string);
      if (traceparent !== undefined) twinUpdate.traceparent = traceparent;
    }
    plan.twinUpdates.push(twinUpdate);
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
  load(modelId: string): Awaitable<void> {
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
  const readModel = (twinId: string, ctx: CallContext): Awaitable<string | null | undefined> => {
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
    // One look-up per twin per batch, shared by every message addressing it.
    const twinModels = new Map<string, Awaitable<string | null | undefined>>();
    const interfaces = new BatchInterfaces(gateway, ctx);
    const context: MappingContext = {
      resolveTwins: (request) => resolver.resolve(request, (query) => gateway.query(query, ctx)),
      models: (interfaceId) => interfaces.lookup(interfaceId),
      loadModel: (modelId) => interfaces.load(modelId),
      twinModel: (twinId) => {
        if (twinModels.has(twinId)) return twinModels.get(twinId);
        const model = readModel(twinId, ctx);
        twinModels.set(twinId, model);
        // Once read, later messages of the batch get the answer itself, without a wait.
        if (isPromise(model)) void model.then((known) => twinModels.set(twinId, known), () => undefined);
        return model;
      },
      validateValue,
    };
    return planIngest(messages, ingest, context);
  };
}
