// The state of mapping one message, shared by the mappers: the twins it addresses (resolved once per
// strategy, existence and model looked up once per twin), the model checks, and the result being
// built (updates, telemetry with per-twin ids, filtered and refused values).

import type { InterfaceView } from '../dtdl';
import { adtNameProblem, adtValueProblem } from './adtLimits';
import { messageBindings } from './bindings';
import type { DeviceMessage, JsonObject } from './deviceMessage';
import { safeMessageId } from './headerSafety';
import type { CompiledIngest, TwinIdStrategy } from './ingestConfig';
import type { MappingContext } from './mappingContext';
import type { Filtered, MappingResult, Rejected } from './mappingResult';
import { normalizeTimestamp } from './normalize';
import type { PropertyUpdate } from './propertyUpdate';
import type { CompiledSource } from './source';
import { type ResolvedTwin, twinIdRequest, type TwinResolution } from './twinTargets';

export const MODEL_RULE = '(model)';

export class MessageMapping {
  readonly bindings: Record<string, unknown>;
  private readonly result: MappingResult;
  private readonly resolutions = new Map<TwinIdStrategy, Promise<TwinResolution>>();
  private readonly twinModels = new Map<string, Promise<string | null | undefined>>();
  private readonly interfaces = new Map<string, Promise<{ modelId?: string; view?: InterfaceView }>>();
  private readonly reportedMissing = new Set<string>();
  private readonly telemetryIds = new Map<string, number>();

  constructor(
    readonly message: DeviceMessage,
    readonly ingest: CompiledIngest,
    readonly context: MappingContext,
  ) {
    this.result = { eventKey: message.eventKey, twinRequests: [], propertyUpdates: [], telemetry: [], filtered: [], rejected: [], clampedSourceTimes: 0 };
    this.bindings = messageBindings(message);
  }

  filter(part: Filtered): void {
    this.result.filtered.push(part);
  }

  reject(part: Rejected): void {
    this.result.rejected.push(part);
  }

  /**
   * The twins a strategy addresses that exist (each missing one refused once, at `missingWhere`), or
   * undefined when the strategy cannot resolve (refused at `where`).
   */
  async targets(strategy: TwinIdStrategy, where: string, missingWhere: string | undefined = where): Promise<ResolvedTwin[] | undefined> {
    const resolution = await this.resolve(strategy);
    if (!resolution.ok) {
      this.reject({ reason: resolution.reason, detail: resolution.detail, where });
      return undefined;
    }
    return this.existing(resolution.twins, missingWhere);
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
    // Millisecond precision is plenty for a bound of seconds.
    if (Date.parse(time) <= Date.parse(this.message.enqueuedTime) + maxClockSkewSeconds * 1000) return time;
    if (futureSourceTime === 'dead-letter') {
      this.reject({ reason: 'future-source-time', detail: `source time ${time} is more than ${maxClockSkewSeconds} s after the enqueued time ${this.message.enqueuedTime}; fix the device clock`, where });
      return undefined;
    }
    this.result.clampedSourceTimes += 1;
    return this.message.enqueuedTime;
  }

  /** The twin's model and its DTDL interface, when known (looked up once per twin per message). */
  interfaceOf(twin: ResolvedTwin): Promise<{ modelId?: string; view?: InterfaceView }> {
    let pending = this.interfaces.get(twin.twinId);
    if (!pending) {
      pending = this.lookupInterface(twin);
      this.interfaces.set(twin.twinId, pending);
    }
    return pending;
  }

  private async lookupInterface(twin: ResolvedTwin): Promise<{ modelId?: string; view?: InterfaceView }> {
    const modelId = (await this.lookupTwinModel(twin)) ?? this.message.modelId;
    if (modelId !== undefined) await this.context.loadModel?.(modelId);
    const view = modelId === undefined ? undefined : this.context.models?.(modelId);
    return { ...(modelId !== undefined && { modelId }), ...(view && { view }) };
  }

  /** Adds one value to write, or refuses it when ADT's limits would (before coalescing, so it displaces nothing). */
  addUpdate(twinId: string, component: string | undefined, property: string, value: unknown, sourceTime: string, rule: string, where?: string, subPath?: readonly string[]): void {
    const problem = adtNameProblem(subPath?.[0] ?? property) ?? adtValueProblem(value);
    if (problem !== undefined) {
      const label = [component, property, ...(subPath ?? [])].filter((s) => s !== undefined).join('/');
      this.reject({ reason: 'value-too-large', detail: `${label}: ${problem}`, twinId, ...(where !== undefined && { where }) });
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
    const count = this.telemetryIds.get(twinId) ?? 0;
    this.telemetryIds.set(twinId, count + 1);
    this.result.telemetry.push({
      twinId,
      payload,
      messageId: count === 0 ? base : `${base}:${count}`,
      sourceTime,
      eventKey: this.message.eventKey,
      rule,
      ...(component !== undefined && { component }),
    });
  }

  /** The result; a message addressing too many twins or values writes nothing and is refused. */
  finish(): MappingResult {
    const { maxTwinsPerMessage, maxPropertiesPerMessage } = this.ingest.options;
    const twins = new Set([...this.result.propertyUpdates.map((u) => u.twinId), ...this.result.telemetry.map((t) => t.twinId)]);
    if (twins.size > maxTwinsPerMessage) {
      this.result.propertyUpdates = [];
      this.result.telemetry = [];
      this.reject({ reason: 'fan-out-exceeded', detail: `the message addresses ${twins.size} twins, more than ingest.options.maxTwinsPerMessage (${maxTwinsPerMessage})` });
    } else if (this.result.propertyUpdates.length > maxPropertiesPerMessage) {
      const count = this.result.propertyUpdates.length;
      this.result.propertyUpdates = [];
      this.result.telemetry = [];
      this.reject({ reason: 'too-many-properties', detail: `the message maps to ${count} property values, more than ingest.options.maxPropertiesPerMessage (${maxPropertiesPerMessage})` });
    }
    return this.result;
  }

  private resolve(strategy: TwinIdStrategy): Promise<TwinResolution> {
    let pending = this.resolutions.get(strategy);
    if (!pending) {
      const request = twinIdRequest(strategy, this.message);
      this.result.twinRequests.push(request);
      if (request.kind === 'direct') pending = Promise.resolve({ ok: true, twins: request.twins });
      else if (request.kind === 'unresolved') pending = Promise.resolve({ ok: false, reason: 'twin-id-unresolved', detail: request.detail });
      else if (!this.context.resolveTwins) {
        pending = Promise.resolve({ ok: false, reason: 'twin-id-unresolved', detail: 'query-based twin ids need a resolver (createTwinIdResolver) in the mapping context' });
      } else pending = this.context.resolveTwins(request);
      this.resolutions.set(strategy, pending);
    }
    return pending;
  }

  private lookupTwinModel(twin: ResolvedTwin): Promise<string | null | undefined> {
    if (twin.modelId !== undefined) return Promise.resolve(twin.modelId);
    let pending = this.twinModels.get(twin.twinId);
    if (!pending) {
      pending = Promise.resolve(this.context.twinModel?.(twin.twinId));
      this.twinModels.set(twin.twinId, pending);
    }
    return pending;
  }

  /** Drops twins known not to exist, refusing each once per message (unknown-twin policy dead-letter). */
  private async existing(twins: ResolvedTwin[], where: string | undefined): Promise<ResolvedTwin[]> {
    const present: ResolvedTwin[] = [];
    for (const twin of twins) {
      if ((await this.lookupTwinModel(twin)) !== null) {
        present.push(twin);
        continue;
      }
      if (this.reportedMissing.has(twin.twinId)) continue;
      this.reportedMissing.add(twin.twinId);
      this.reject({
        reason: 'unknown-twin',
        detail: `twin ${twin.twinId} does not exist in ADT; create it, fix the twin id mapping, or set ingest.unknownTwin.action to "create"`,
        twinId: twin.twinId,
        ...(where !== undefined && { where }),
      });
    }
    return present;
  }
}
