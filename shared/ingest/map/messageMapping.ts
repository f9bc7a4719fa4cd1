// The state of mapping one message, shared by the mappers: the twins it addresses (resolved once per
// strategy, existence and model looked up once per twin), the model checks, and the result being
// built (updates, telemetry with per-twin ids, filtered and refused values).

import { type Awaitable, isPromise, KeyedMemo, parseIsoMillis } from '../../common';
import type { CompiledIngest, CompiledSource, TwinIdStrategy } from '../config';
import { normalizeTimestamp, safeMessageId } from '../decode';
import { adtNameProblem, adtValueProblem, type DeviceMessage, type JsonObject, type PropertyUpdate, type Refusal } from '../message';
import { messageBindings } from './bindings';
import type { MappingContext } from './mappingContext';
import type { Filtered, MappingResult, TelemetryItem } from './mappingResult';
import type { TwinInterface } from './modelFit';
import { type ResolvedTwin, twinIdRequest, type TwinResolution } from './twinTargets';

export const MODEL_RULE = '(model)';

export type { TwinInterface } from './modelFit';

export class MessageMapping {
  private readonly result: MappingResult;
  private bindingsOfMessage: Record<string, unknown> | undefined;
  // Per-message memos, created on first need: most messages address one twin through one strategy.
  private readonly resolutions = new KeyedMemo<TwinIdStrategy, Awaitable<TwinResolution>>();
  private readonly twinModels = new KeyedMemo<string, Awaitable<string | null | undefined>>();
  private readonly interfaces = new KeyedMemo<string, Awaitable<TwinInterface>>();
  private reportedMissing: Set<string> | undefined;
  private telemetryIds: KeyedMemo<string, number> | undefined;
  private enqueuedMillis: number | undefined;

  constructor(
    readonly message: DeviceMessage,
    readonly ingest: CompiledIngest,
    readonly context: MappingContext,
  ) {
    // Most messages filter and refuse nothing: those lists start as one shared empty list each.
    this.result = { eventKey: message.eventKey, propertyUpdates: [], telemetry: [], filtered: noneFiltered, rejected: noneRejected, clampedSourceTimes: 0 };
    if (message.prototypeKeys !== undefined) {
      this.filter({ reason: 'prototype-key', detail: `removed keys that could reach an object's prototype: ${message.prototypeKeys.join(', ')}` });
    }
  }

  /** The variables JSONata expressions see; built only when one runs. */
  get bindings(): Record<string, unknown> {
    this.bindingsOfMessage ??= messageBindings(this.message);
    return this.bindingsOfMessage;
  }

  filter(part: Filtered): void {
    if (this.result.filtered === noneFiltered) this.result.filtered = [];
    this.result.filtered.push(part);
  }

  reject(part: Refusal): void {
    if (this.result.rejected === noneRejected) this.result.rejected = [];
    this.result.rejected.push(part);
  }

  /**
   * The twins a strategy addresses that exist (each missing one refused once, at `missingWhere`), or
   * undefined when the strategy cannot resolve (refused at `where`). Ready at once when nothing needs ADT.
   */
  targets(strategy: TwinIdStrategy, where: string, missingWhere: string | undefined = where): Awaitable<ResolvedTwin[] | undefined> {
    const resolution = this.resolve(strategy);
    return isPromise(resolution) ? resolution.then((ready) => this.resolved(ready, where, missingWhere)) : this.resolved(resolution, where, missingWhere);
  }

  private resolved(resolution: TwinResolution, where: string, missingWhere: string | undefined): Awaitable<ResolvedTwin[] | undefined> {
    if (!resolution.ok) {
      this.reject({ reason: resolution.reason, detail: resolution.detail, where });
      return undefined;
    }
    return this.existing(resolution.twins, missingWhere, [], 0);
  }

  /** The configured sourceTime source, or the enqueued time; undefined (and refused) when unreadable. */
  sourceTime(source: CompiledSource | undefined, where: string): string | undefined {
    if (!source) return this.message.enqueuedTime;
    const raw = source.read(this.message);
    if (raw === undefined || raw === null) return this.message.enqueuedTime;
    const time = normalizeTimestamp(raw);
    if (time === undefined) {
      this.reject({ reason: 'invalid-source-time', detail: `sourceTime ${source.text} = ${JSON.stringify(raw)} is not an ISO 8601 date-time or epoch milliseconds`, where });
      return undefined;
    }
    return this.withinClockSkew(time, where);
  }

  /**
   * A device clock ahead of IoT Hub's would win every comparison and freeze the property (every
   * correct reading after it looks stale): beyond maxClockSkewSeconds the enqueued time is used
   * instead (counted), or the message is refused (futureSourceTime: dead-letter).
   */
  private withinClockSkew(time: string, where: string): string | undefined {
    const { maxClockSkewSeconds, futureSourceTime } = this.ingest.options;
    const enqueued = this.message.enqueuedTime;
    // Both are normalised: same-length (24-character, four-digit year) forms order as text, and a
    // time not after the enqueued time is within any skew, which is nearly every message.
    if (time.length === 24 && enqueued.length === 24 && time <= enqueued) return time;
    // Millisecond precision is plenty for a bound of seconds.
    this.enqueuedMillis ??= parseIsoMillis(enqueued);
    if (parseIsoMillis(time) <= this.enqueuedMillis + maxClockSkewSeconds * 1000) return time;
    if (futureSourceTime === 'dead-letter') {
      this.reject({ reason: 'future-source-time', detail: `source time ${time} is more than ${maxClockSkewSeconds} s after the enqueued time ${this.message.enqueuedTime}; fix the device clock`, where });
      return undefined;
    }
    this.result.clampedSourceTimes += 1;
    return this.message.enqueuedTime;
  }

  /** The twin's model and its DTDL interface, when known (looked up once per twin per message). */
  interfaceOf(twin: ResolvedTwin): Awaitable<TwinInterface> {
    let known = this.interfaces.get(twin.twinId);
    if (known === undefined) {
      known = this.lookupInterface(twin);
      this.interfaces.set(twin.twinId, known);
      if (isPromise(known)) void known.then((ready) => this.interfaces.set(twin.twinId, ready), () => undefined);
    }
    return known;
  }

  private lookupInterface(twin: ResolvedTwin): Awaitable<TwinInterface> {
    const twinModel = this.lookupTwinModel(twin);
    return isPromise(twinModel) ? twinModel.then((ready) => this.interfaceOfModel(ready)) : this.interfaceOfModel(twinModel);
  }

  private interfaceOfModel(twinModel: string | null | undefined): Awaitable<TwinInterface> {
    const fromTwin = typeof twinModel === 'string';
    const modelId = twinModel ?? this.message.modelId;
    if (modelId === undefined) return noInterface;
    const loaded = this.context.loadModel?.(modelId);
    return isPromise(loaded) ? loaded.then(() => this.loadedInterface(modelId, fromTwin)) : this.loadedInterface(modelId, fromTwin);
  }

  private loadedInterface(modelId: string, fromTwin: boolean): TwinInterface {
    const view = this.context.models?.(modelId);
    const known: TwinInterface = view ? { modelId, view } : { modelId };
    if (fromTwin) known.fromTwin = true;
    return known;
  }

  /** Adds one value to write, or refuses it when ADT's limits would (before coalescing, so it displaces nothing). */
  addUpdate(twinId: string, component: string | undefined, property: string, value: unknown, sourceTime: string, rule: string, where?: string, subPath?: readonly string[]): void {
    const problem = adtNameProblem(subPath?.[0] ?? property) ?? adtValueProblem(value);
    if (problem !== undefined) {
      this.reject({ reason: 'value-too-large', detail: `${labelOf(component, property, subPath)}: ${problem}`, twinId, ...(where !== undefined && { where }) });
      return;
    }
    const update: PropertyUpdate = { twinId, property, value, sourceTime, eventKeys: [this.message.eventKey], rule };
    if (component !== undefined) update.component = component;
    if (subPath !== undefined) update.subPath = subPath;
    if (this.message.sequenceNumber !== undefined) update.sequenceNumber = this.message.sequenceNumber;
    this.result.propertyUpdates.push(update);
  }

  addTelemetry(twinId: string, component: string | undefined, payload: JsonObject, sourceTime: string, rule: string): void {
    const base = safeMessageId(this.message.messageId ?? `${this.message.deviceId}:${this.message.eventKey}`);
    // ADT de-duplicates Message-Ids per twin (its components included), so number items per twin.
    this.telemetryIds ??= new KeyedMemo();
    const count = this.telemetryIds.get(twinId) ?? 0;
    this.telemetryIds.set(twinId, count + 1);
    const item: TelemetryItem = { twinId, payload, messageId: count === 0 ? base : `${base}:${count}`, sourceTime, eventKey: this.message.eventKey, rule };
    if (component !== undefined) item.component = component;
    this.result.telemetry.push(item);
  }

  /** The result; a message addressing too many twins or values writes nothing and is refused. */
  finish(): MappingResult {
    const { maxTwinsPerMessage, maxPropertiesPerMessage } = this.ingest.options;
    const { propertyUpdates, telemetry } = this.result;
    // Counting distinct twins is needed only when there are more items than twins allowed.
    const twins = propertyUpdates.length + telemetry.length <= maxTwinsPerMessage ? 0 : new Set([...propertyUpdates.map((u) => u.twinId), ...telemetry.map((t) => t.twinId)]).size;
    if (twins > maxTwinsPerMessage) {
      this.result.propertyUpdates = [];
      this.result.telemetry = [];
      this.reject({ reason: 'fan-out-exceeded', detail: `the message addresses ${twins} twins, more than ingest.options.maxTwinsPerMessage (${maxTwinsPerMessage})` });
    } else if (propertyUpdates.length > maxPropertiesPerMessage) {
      const count = propertyUpdates.length;
      this.result.propertyUpdates = [];
      this.result.telemetry = [];
      this.reject({ reason: 'too-many-properties', detail: `the message maps to ${count} property values, more than ingest.options.maxPropertiesPerMessage (${maxPropertiesPerMessage})` });
    }
    return this.result;
  }

  private resolve(strategy: TwinIdStrategy): Awaitable<TwinResolution> {
    let known = this.resolutions.get(strategy);
    if (known === undefined) {
      const request = twinIdRequest(strategy, this.message);
      if (request.kind === 'direct') known = { ok: true, twins: request.twins };
      else if (request.kind === 'unresolved') known = { ok: false, reason: 'twin-id-unresolved', detail: request.detail };
      else if (!this.context.resolveTwins) {
        known = { ok: false, reason: 'twin-id-unresolved', detail: 'query-based twin ids need a resolver (createTwinIdResolver) in the mapping context' };
      } else known = this.context.resolveTwins(request);
      this.resolutions.set(strategy, known);
    }
    return known;
  }

  private lookupTwinModel(twin: ResolvedTwin): Awaitable<string | null | undefined> {
    if (twin.modelId !== undefined) return twin.modelId;
    if (this.twinModels.has(twin.twinId)) return this.twinModels.get(twin.twinId);
    const known = this.context.twinModel?.(twin.twinId);
    this.twinModels.set(twin.twinId, known);
    return known;
  }

  /** Drops twins known not to exist, refusing each once per message (unknown-twin policy dead-letter); from `from` on. */
  private existing(twins: ResolvedTwin[], where: string | undefined, present: ResolvedTwin[], from: number): Awaitable<ResolvedTwin[]> {
    for (let index = from; index < twins.length; index++) {
      const twin = twins[index] as ResolvedTwin;
      const model = this.lookupTwinModel(twin);
      if (isPromise(model)) {
        return model.then((ready) => {
          this.keepIfPresent(twin, ready, present, where);
          return this.existing(twins, where, present, index + 1);
        });
      }
      this.keepIfPresent(twin, model, present, where);
    }
    return present;
  }

  private keepIfPresent(twin: ResolvedTwin, model: string | null | undefined, present: ResolvedTwin[], where: string | undefined): void {
    if (model !== null) {
      present.push(twin);
      return;
    }
    this.reportedMissing ??= new Set();
    if (this.reportedMissing.has(twin.twinId)) return;
    this.reportedMissing.add(twin.twinId);
    this.reject({
      reason: 'unknown-twin',
      detail: `twin ${twin.twinId} does not exist in ADT; create it, fix the twin id mapping, or set ingest.unknownTwin.action to "create"`,
      twinId: twin.twinId,
      ...(where !== undefined && { where }),
    });
  }
}

function labelOf(component: string | undefined, property: string, subPath: readonly string[] | undefined): string {
  return [component, property, ...(subPath ?? [])].filter((s) => s !== undefined).join('/');
}

const noInterface: TwinInterface = Object.freeze({});

// Frozen, so a push that skipped filter()/reject() fails loudly instead of sharing one list.
const noneFiltered = Object.freeze([]) as unknown as Filtered[];
const noneRejected = Object.freeze([]) as unknown as Refusal[];
