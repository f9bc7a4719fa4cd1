// Builds what one mapper decides for one message: the twins it addresses (existence read from the
// batch's look-ups, each missing twin refused once), the source time, and the result (updates,
// telemetry with per-twin ids, filtered and refused values), within the message's limits. A mapper
// makes one, fills it and returns `finish()`: nothing is shared between mappers.

import { KeyedMemo, parseIsoMillis } from '../../common';
import type { CompiledIngest, CompiledSource, TwinIdStrategy } from '../config';
import { normalizeTimestamp, safeMessageId } from '../decode';
import {
  adtNameProblem,
  adtValueProblem,
  type DeviceMessage,
  type EventOrder,
  type JsonObject,
  type LifecycleAction,
  type PropertyUpdate,
  type Refusal,
  type StatefulTransform,
} from '../message';
import type { Lookups, PreparedMessage } from './lookups';
import type { Filtered, MappingResult, TelemetryItem } from './mappingResult';
import type { TwinInterface } from './modelFit';
import type { ResolvedTwin } from './twinTargets';

export const MODEL_RULE = '(model)';

export class ResultBuilder {
  readonly message: DeviceMessage;
  private readonly result: MappingResult;
  private reportedMissing: Set<string> | undefined;
  private telemetryIds: KeyedMemo<string, number> | undefined;
  private enqueuedMillis: number | undefined;

  constructor(
    readonly prepared: PreparedMessage,
    readonly ingest: CompiledIngest,
    readonly lookups: Lookups,
  ) {
    const message = prepared.message;
    this.message = message;
    // Most messages filter and refuse nothing: those lists start as one shared empty list each.
    this.result = {
      eventKey: message.eventKey,
      propertyUpdates: [],
      telemetry: [],
      filtered: noneFiltered,
      rejected: noneRejected,
      clampedSourceTimes: 0,
    };
    if (message.prototypeKeys !== undefined) {
      this.filter({
        reason: 'prototype-key',
        detail: `removed keys that could reach an object's prototype: ${message.prototypeKeys.join(', ')}`,
      });
    }
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
   * undefined when the strategy cannot resolve (refused at `where`).
   */
  targets(strategy: TwinIdStrategy, where: string, missingWhere: string | undefined = where): ResolvedTwin[] | undefined {
    const resolution = this.lookups.resolution(this.prepared, strategy);
    if (!resolution.ok) {
      this.reject({ reason: resolution.reason, detail: resolution.detail, where });
      return undefined;
    }
    // Nearly always every twin exists: the resolution's own list is used then, not a copy.
    let present: ResolvedTwin[] | undefined;
    const twins = resolution.twins;
    for (let index = 0; index < twins.length; index++) {
      const twin = twins[index] as ResolvedTwin;
      if (this.lookups.twinModel(twin) !== null || this.createsFromModel(twin)) {
        present?.push(twin);
        continue;
      }
      present ??= twins.slice(0, index);
      this.refuseMissing(twin, missingWhere);
    }
    return present ?? twins;
  }

  /**
   * unknownTwin model (the default): a missing twin is created with the model the message names when
   * ADT has it; the batch's later messages then see it (Lookups.noteCreated).
   */
  private createsFromModel(twin: ResolvedTwin): boolean {
    const modelId = this.message.modelId;
    if (this.ingest.unknownTwin.action !== 'model' || modelId === undefined || this.lookups.sources.models?.(modelId) === undefined)
      return false;
    this.lookups.noteCreated(twin.twinId, modelId);
    return true;
  }

  /** The twin's model id and DTDL interface, when known. */
  interfaceOf(twin: ResolvedTwin): TwinInterface {
    return this.lookups.twinInterface(twin, this.message);
  }

  /** The configured sourceTime source, or the enqueued time; undefined (and refused) when unreadable. */
  sourceTime(source: CompiledSource | undefined, where: string): string | undefined {
    if (!source) return this.message.enqueuedTime;
    const raw = source.read(this.message);
    if (raw === undefined || raw === null) return this.message.enqueuedTime;
    const time = normalizeTimestamp(raw);
    if (time === undefined) {
      this.reject({
        reason: 'invalid-source-time',
        detail: `sourceTime ${source.text} = ${JSON.stringify(raw)} is not an ISO 8601 date-time or epoch milliseconds`,
        where,
      });
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
      this.reject({
        reason: 'future-source-time',
        detail: `source time ${time} is more than ${maxClockSkewSeconds} s after the enqueued time ${this.message.enqueuedTime}; fix the device clock`,
        where,
      });
      return undefined;
    }
    this.result.clampedSourceTimes += 1;
    return this.message.enqueuedTime;
  }

  /** Adds one value to write, or refuses it when ADT's limits would (before coalescing, so it displaces nothing). */
  addUpdate(
    twinId: string,
    component: string | undefined,
    property: string,
    value: unknown,
    sourceTime: string,
    rule: string,
    where?: string,
    subPath?: readonly string[],
  ): void {
    const problem = adtNameProblem(subPath?.[0] ?? property) ?? adtValueProblem(value);
    if (problem !== undefined) {
      this.reject({
        reason: 'value-too-large',
        detail: `${labelOf(component, property, subPath)}: ${problem}`,
        twinId,
        ...(where !== undefined && { where }),
      });
      return;
    }
    const update: PropertyUpdate = { twinId, property, value, sourceTime, eventKeys: [this.message.eventKey], rule };
    if (component !== undefined) update.component = component;
    if (subPath !== undefined) update.subPath = subPath;
    if (this.message.sequenceNumber !== undefined) update.sequenceNumber = this.message.sequenceNumber;
    this.result.propertyUpdates.push(update);
  }

  /** A twin to create or retire (device lifecycle events). */
  addLifecycle(action: LifecycleAction): void {
    (this.result.lifecycle ??= []).push(action);
  }

  /** Property updates added so far (with orderSince: the ones one value added). */
  updateCount(): number {
    return this.result.propertyUpdates.length;
  }

  /** Gives the updates added since `count` IoT Hub's own order (a connection event's sequence number). */
  orderSince(count: number, order: EventOrder): void {
    const updates = this.result.propertyUpdates;
    for (let index = count; index < updates.length; index++) (updates[index] as PropertyUpdate).order = order;
  }

  /** Makes the updates added since `count` a stateful target's: each carries its value as its one reading (the writer folds them). */
  statefulSince(count: number, transform: StatefulTransform): void {
    const updates = this.result.propertyUpdates;
    for (let index = count; index < updates.length; index++) {
      const update = updates[index] as PropertyUpdate;
      if (typeof update.value !== 'number') continue;
      const reading = { value: update.value, sourceTime: update.sourceTime, eventKey: this.message.eventKey };
      update.stateful = {
        transform,
        readings: [update.sequenceNumber === undefined ? reading : { ...reading, sequenceNumber: update.sequenceNumber }],
      };
    }
  }

  addTelemetry(twinId: string, component: string | undefined, payload: JsonObject, sourceTime: string, rule: string): void {
    const base = safeMessageId(this.message.messageId ?? `${this.message.deviceId}:${this.message.eventKey}`);
    // ADT de-duplicates Message-Ids per twin (its components included), so number items per twin.
    this.telemetryIds ??= new KeyedMemo();
    const count = this.telemetryIds.get(twinId) ?? 0;
    this.telemetryIds.set(twinId, count + 1);
    const item: TelemetryItem = {
      twinId,
      payload,
      messageId: count === 0 ? base : `${base}:${count}`,
      sourceTime,
      eventKey: this.message.eventKey,
      rule,
    };
    if (component !== undefined) item.component = component;
    this.result.telemetry.push(item);
  }

  /** The result; a message addressing too many twins or values writes nothing and is refused. */
  finish(): MappingResult {
    const { maxTwinsPerMessage, maxPropertiesPerMessage } = this.ingest.options;
    const { propertyUpdates, telemetry } = this.result;
    // Counting distinct twins is needed only when there are more items than twins allowed.
    const twins =
      propertyUpdates.length + telemetry.length <= maxTwinsPerMessage
        ? 0
        : new Set([...propertyUpdates.map((u) => u.twinId), ...telemetry.map((t) => t.twinId)]).size;
    if (twins > maxTwinsPerMessage) {
      this.result.propertyUpdates = [];
      this.result.telemetry = [];
      this.reject({
        reason: 'fan-out-exceeded',
        detail: `the message addresses ${twins} twins, more than ingest.options.maxTwinsPerMessage (${maxTwinsPerMessage})`,
      });
    } else if (propertyUpdates.length > maxPropertiesPerMessage) {
      const count = propertyUpdates.length;
      this.result.propertyUpdates = [];
      this.result.telemetry = [];
      this.reject({
        reason: 'too-many-properties',
        detail: `the message maps to ${count} property values, more than ingest.options.maxPropertiesPerMessage (${maxPropertiesPerMessage})`,
      });
    }
    return this.result;
  }

  private refuseMissing(twin: ResolvedTwin, where: string | undefined): void {
    this.reportedMissing ??= new Set();
    if (this.reportedMissing.has(twin.twinId)) return;
    this.reportedMissing.add(twin.twinId);
    this.reject({
      reason: 'unknown-twin',
      detail: `twin ${twin.twinId} does not exist in ADT; create it, fix the twin id mapping, send a model ADT has (dt-dataschema), or set ingest.unknownTwin.action to "create"`,
      twinId: twin.twinId,
      ...(where !== undefined && { where }),
    });
  }
}

function labelOf(component: string | undefined, property: string, subPath: readonly string[] | undefined): string {
  return [component, property, ...(subPath ?? [])].filter((s) => s !== undefined).join('/');
}

// Frozen, so a push that skipped filter()/reject() fails loudly instead of sharing one list.
const noneFiltered = Object.freeze([]) as unknown as Filtered[];
const noneRejected = Object.freeze([]) as unknown as Refusal[];
