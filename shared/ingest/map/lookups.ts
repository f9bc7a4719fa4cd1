// What mapping looks up, answered for a whole batch before any message is mapped. Gathering asks each
// message what it needs — its rules (a `when` and the rules' JSONata expressions are evaluated here),
// the twins its twin-id strategies address (a query is an ADT call), each twin's model, the models'
// DTDL interfaces — and waits for those look-ups in parallel, at most `lookupConcurrency` at a time
// (the gateway's budgets queue them further). Mapping then reads the answers synchronously.

import { KeyedMemo } from '../../common';
import type { CompiledIngest, TwinIdStrategy } from '../config';
import type { DeviceMessage } from '../message';
import type { LookupSources } from './lookupSources';
import type { TwinInterface } from './modelFit';
import { evaluateExpressions, type ExpressionOutcomes, hasExpressions } from './ruleExpressions';
import { type RuleSelection, selectRules, selectRulesEvaluatingWhen } from './selectRules';
import { type ResolvedTwin, twinIdRequest, type TwinResolution } from './twinTargets';

/** A message with what mapping decides before it maps: its rules, their expressions' outcomes, its twins. */
export interface PreparedMessage {
  message: DeviceMessage;
  selection: RuleSelection;
  expressions?: ExpressionOutcomes;
  /** Per twin-id strategy: the answer, or the key of a query answered in the batch's look-ups. */
  readonly twins: KeyedMemo<TwinIdStrategy, TwinResolution | string>;
  /** Index of the mapper that claims the message (in the list gathering was given); -1: none. */
  claimedBy: number;
}

/** What a mapper tells gathering about a message (see Mapper). */
export interface Claimant {
  claims(prepared: PreparedMessage): readonly TwinIdStrategy[] | undefined;
}

type Answer<T> = { value: T } | { error: unknown };

/** Look-ups waiting at once per batch. */
const lookupConcurrency = 64;

/** The batch's answers; reading one whose look-up failed throws that failure (for that message only). */
export class Lookups {
  private readonly queries = new Map<string, Answer<TwinResolution>>();
  private readonly twinModels = new Map<string, Answer<string | null | undefined>>();
  private readonly loadedModels = new Map<string, Answer<void>>();
  private readonly twinInterfaces = new Map<string, TwinInterface>();
  /** Twins a lifecycle event of this batch creates (before the batch's writes), with their model. */
  private readonly created = new Map<string, string>();

  constructor(readonly sources: LookupSources) {}

  /** The twins `strategy` addresses for a prepared message. */
  resolution(prepared: PreparedMessage, strategy: TwinIdStrategy): TwinResolution {
    const known = prepared.twins.get(strategy);
    if (known === undefined) throw new Error('Mapping asked for a twin-id strategy gathering did not prepare.');
    return typeof known === 'string' ? read(this.queries.get(known)) : known;
  }

  /** The twin's model: null = the twin does not exist; undefined = not known. */
  twinModel(twin: ResolvedTwin): string | null | undefined {
    if (twin.modelId !== undefined) return twin.modelId;
    if (!this.sources.twinModel) return this.created.get(twin.twinId);
    const model = read(this.twinModels.get(twin.twinId));
    return model === null ? (this.created.get(twin.twinId) ?? null) : model;
  }

  /** The model a twin missing from ADT is created with by this batch, if any. */
  createdModel(twinId: string): string | undefined {
    return this.created.get(twinId);
  }

  /** A lifecycle event of this batch creates the twin: later messages of the batch map to it (mapping is in batch order). */
  noteCreated(twinId: string, modelId: string): void {
    this.created.set(twinId, modelId);
  }

  /** The twin's model id and DTDL interface, as far as they are known (else the device's dt-dataschema). */
  twinInterface(twin: ResolvedTwin, message: DeviceMessage): TwinInterface {
    const twinModel = this.twinModel(twin);
    if (typeof twinModel === 'string') {
      let known = this.twinInterfaces.get(twin.twinId);
      if (known === undefined) this.twinInterfaces.set(twin.twinId, (known = this.interfaceOf(twinModel, true)));
      return known;
    }
    return message.modelId === undefined ? noInterface : this.interfaceOf(message.modelId, false);
  }

  private interfaceOf(modelId: string, fromTwin: boolean): TwinInterface {
    if (this.sources.loadModel) read(this.loadedModels.get(modelId));
    const view = this.sources.models?.(modelId);
    const known: TwinInterface = view ? { modelId, view } : { modelId };
    if (fromTwin) known.fromTwin = true;
    return known;
  }

  /** Gathers and answers every look-up the prepared messages need. `isFatal` errors fail the whole batch. */
  async gather(
    batch: readonly PreparedMessage[],
    claimants: readonly Claimant[],
    isFatal: (error: unknown) => boolean,
    lifecycleModels: readonly string[] = [],
  ): Promise<void> {
    const queue = new LookupQueue(isFatal);
    const twins: ResolvedTwin[] = [];
    for (const prepared of batch) {
      for (let index = 0; index < claimants.length; index++) {
        const strategies = (claimants[index] as Claimant).claims(prepared);
        if (strategies === undefined) continue;
        prepared.claimedBy = index;
        for (const strategy of strategies) this.prepareTwins(prepared, strategy, queue, twins);
        break;
      }
    }
    await queue.drain();
    // Query answers name more twins: their models are looked up with the rest.
    for (const prepared of this.queries.size === 0 ? [] : batch) {
      prepared.twins.forEach((known) => {
        if (typeof known !== 'string') return;
        const answer = this.queries.get(known);
        if (answer && 'value' in answer && answer.value.ok) twins.push(...answer.value.twins);
      });
    }
    const { twinModel, loadModel, preloadTwins } = this.sources;
    if (twinModel) {
      const unknown = new Set<string>();
      for (const twin of twins) if (twin.modelId === undefined && !this.twinModels.has(twin.twinId)) unknown.add(twin.twinId);
      // Best effort, and before the per-twin look-ups: what it could not load, they read one by one.
      if (preloadTwins && unknown.size > 1) await preloadTwins([...unknown]).catch(() => undefined);
      for (const twinId of unknown) queue.add(this.twinModels, twinId, () => twinModel(twinId));
      await queue.drain();
    }
    if (!loadModel) return;
    for (const prepared of batch) {
      // A lifecycle create names the model of a twin that does not exist yet (the device twin's, or a
      // configured one): loaded for the batch's later messages.
      if (prepared.message.source?.kind === 'deviceLifecycleEvents') {
        for (const named of prepared.message.modelId === undefined ? lifecycleModels : [prepared.message.modelId, ...lifecycleModels]) {
          if (!this.loadedModels.has(named)) queue.add(this.loadedModels, named, () => loadModel(named));
        }
      }
      prepared.twins.forEach((known) => {
        const resolution = typeof known === 'string' ? this.queries.get(known) : { value: known };
        if (!resolution || !('value' in resolution) || !resolution.value.ok) return;
        for (const twin of resolution.value.twins) {
          const answer = twin.modelId === undefined ? this.twinModels.get(twin.twinId) : { value: twin.modelId };
          // A failed read is reported when the message maps; a twin that does not exist has no model
          // (unless the message names one: the twin may be created with it, unknownTwin model).
          if (answer !== undefined && (!('value' in answer) || (answer.value === null && prepared.message.modelId === undefined))) continue;
          const modelId = answer?.value ?? prepared.message.modelId;
          if (modelId !== undefined && !this.loadedModels.has(modelId)) queue.add(this.loadedModels, modelId, () => loadModel(modelId));
        }
      });
    }
    await queue.drain();
  }

  private prepareTwins(prepared: PreparedMessage, strategy: TwinIdStrategy, queue: LookupQueue, twins: ResolvedTwin[]): void {
    if (prepared.twins.has(strategy)) return;
    const request = twinIdRequest(strategy, prepared.message);
    if (request.kind === 'direct') {
      prepared.twins.set(strategy, { ok: true, twins: request.twins });
      for (const twin of request.twins) twins.push(twin);
    } else if (request.kind === 'unresolved') {
      prepared.twins.set(strategy, { ok: false, reason: 'twin-id-unresolved', detail: request.detail });
    } else if (!this.sources.resolveTwins) {
      prepared.twins.set(strategy, {
        ok: false,
        reason: 'twin-id-unresolved',
        detail: 'query-based twin ids need a resolver (createTwinIdResolver) in the look-up sources',
      });
    } else {
      const resolveTwins = this.sources.resolveTwins;
      prepared.twins.set(strategy, request.key);
      if (!this.queries.has(request.key)) queue.add(this.queries, request.key, () => resolveTwins(request));
    }
  }
}

/** Prepares a batch's messages: rules selected (waiting only for `when` and rule expressions). */
export async function prepareMessages(messages: readonly DeviceMessage[], ingest: CompiledIngest): Promise<PreparedMessage[]> {
  const prepared = new Array<PreparedMessage>(messages.length);
  // Decided once per batch: most configurations have no expression at all.
  const expressive = ingest.rules.some(hasExpressions);
  let waits: Array<Promise<void>> | undefined;
  for (let position = 0; position < messages.length; position++) {
    const message = messages[position] as DeviceMessage;
    const selection = selectRules(message, ingest.rules);
    if (selection !== undefined && !(expressive && selection.rules.some(hasExpressions))) {
      prepared[position] = { message, selection, twins: new KeyedMemo(), claimedBy: -1 };
      continue;
    }
    (waits ??= []).push(
      prepareWithExpressions(message, ingest, selection).then((ready) => {
        prepared[position] = ready;
      }),
    );
  }
  if (waits) await Promise.all(waits);
  return prepared;
}

async function prepareWithExpressions(
  message: DeviceMessage,
  ingest: CompiledIngest,
  known: RuleSelection | undefined,
): Promise<PreparedMessage> {
  const selection = known ?? (await selectRulesEvaluatingWhen(message, ingest.rules));
  const prepared: PreparedMessage = { message, selection, twins: new KeyedMemo(), claimedBy: -1 };
  if (selection.rules.some(hasExpressions)) prepared.expressions = await evaluateExpressions(message, selection.rules);
  return prepared;
}

function read<T>(answer: Answer<T> | undefined): T {
  if (answer === undefined) throw new Error('Mapping read a look-up that was not gathered.');
  if ('error' in answer) throw answer.error;
  return answer.value;
}

const noInterface: TwinInterface = Object.freeze({});

/** A look-up asked but not (yet) answered; one shared object, since making an Error per look-up is costly. */
const unanswered: Answer<never> = Object.freeze({ error: new Error('A look-up was read before it was answered.') });

/**
 * Runs look-ups, at most `lookupConcurrency` waiting at once. One answered from memory (a value, not
 * a promise) is stored at once. A failure is kept for the messages that need it, unless it is fatal
 * (throttling, the deadline): then nothing new starts, and drain throws once the started ones settle.
 */
class LookupQueue {
  private readonly running = new Set<Promise<void>>();
  private fatal: { error: unknown } | undefined;
  private pending: Array<() => void | Promise<void>> = [];

  constructor(private readonly isFatal: (error: unknown) => boolean) {}

  /** Queues a look-up; marks its key as asked at once, so a second message needing it does not ask again. */
  add<T>(answers: Map<string, Answer<T>>, key: string, lookup: () => T | Promise<T>): void {
    answers.set(key, unanswered);
    this.pending.push(() => {
      let result: T | Promise<T>;
      try {
        result = lookup();
      } catch (error) {
        this.failed(answers, key, error);
        return undefined;
      }
      if (!(result instanceof Promise)) {
        answers.set(key, { value: result });
        return undefined;
      }
      return result.then(
        (value) => void answers.set(key, { value }),
        (error: unknown) => this.failed(answers, key, error),
      );
    });
  }

  async drain(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    for (const start of pending) {
      if (this.fatal) break;
      const started = start();
      if (started === undefined) continue;
      const running: Promise<void> = started.finally(() => this.running.delete(running));
      this.running.add(running);
      if (this.running.size >= lookupConcurrency) await Promise.race(this.running);
    }
    if (this.running.size > 0) await Promise.all(this.running);
    if (this.fatal) throw this.fatal.error;
  }

  private failed<T>(answers: Map<string, Answer<T>>, key: string, error: unknown): void {
    if (this.isFatal(error)) this.fatal ??= { error };
    answers.set(key, { error });
  }
}
