// Maps one decoded message to twin property updates and telemetry according to the compiled config.
// A value that fails (transform, range, model check) is rejected alone; the rest of the message
// still applies. Throws only when an injected lookup throws (e.g. a throttled twin-id query), so
// the caller can retry instead of dead-lettering on a transient failure.

import type { CompiledIngest, CompiledPipelineConfig, CompiledPropertyMapping, CompiledRule, CompiledTelemetryMapping, TwinIdStrategy } from '../config/types';
import type { InterfaceView, Schema } from '../dtdl/types';
import { messageBindings } from './bindings';
import { isJsonObject, type DeviceMessage, type JsonObject } from './deviceMessage';
import type { MappingResult, PropertyUpdate, Rejected } from './mappingResult';
import { modelDrivenMapping, type InterfaceLookup } from './modelMapping';
import { normalizeTimestamp } from './normalize';
import { selectRules } from './selectRules';
import type { CompiledSource } from './source';
import { twinIdRequest, type ResolvedTwin, type TwinIdRequest, type TwinResolution } from './twinTargets';

export interface MappingContext {
  /** Answers query-based twin id requests; pass `resolver.resolve` of a TwinIdResolver. */
  resolveTwins?: (request: TwinIdRequest) => Promise<TwinResolution>;
  /** DTDL interfaces by id, e.g. `(id) => modelIndex.interface(id)`; enables model checks and the default mapping. */
  models?: InterfaceLookup;
  /** Makes `models` know a model and its dependencies (e.g. fetched from ADT) before it is looked up. */
  loadModel?: (modelId: string) => Promise<void>;
  /**
   * The model of a twin (the gateway's twin cache, else one read). `null` = the twin does not exist:
   * its values are rejected as unknown-twin. `undefined` = not known: dt-dataschema is used instead.
   */
  twinModel?: (twinId: string) => Promise<string | null | undefined> | string | null | undefined;
  /** shared/dtdl validateValue: one message per violation, each prefixed with `path`; empty when the value fits. */
  validateValue?: (schema: Schema, value: unknown, path: string) => string[];
}

export const MODEL_RULE = '(model)';

export async function mapMessage(message: DeviceMessage, config: CompiledPipelineConfig | CompiledIngest, context: MappingContext = {}): Promise<MappingResult> {
  const ingest = 'ingest' in config ? config.ingest : config;
  return new MessageMapper(message, ingest, context).run();
}

class MessageMapper {
  private readonly result: MappingResult;
  private readonly bindings: Record<string, unknown>;
  private readonly resolutions = new Map<TwinIdStrategy, Promise<TwinResolution>>();
  private readonly twinModels = new Map<string, Promise<string | null | undefined>>();
  private readonly reportedMissing = new Set<string>();
  private readonly telemetryIds = new Map<string, number>();

  constructor(
    private readonly message: DeviceMessage,
    private readonly ingest: CompiledIngest,
    private readonly context: MappingContext,
  ) {
    this.result = { eventKey: message.eventKey, twinRequests: [], propertyUpdates: [], telemetry: [], filtered: [], rejected: [] };
    this.bindings = messageBindings(message);
  }

  async run(): Promise<MappingResult> {
    const selection = await selectRules(this.message, this.ingest.rules);
    for (const failure of selection.failures) {
      this.result.rejected.push({ reason: 'rule-condition-failed', detail: `rule "${failure.rule}": ${failure.detail}`, where: failure.where });
    }
    if (selection.rules.length > 0) {
      for (const rule of selection.rules) await this.applyRule(rule);
    } else if (this.ingest.options.unmatched === 'model') {
      await this.applyModelDefault();
    } else {
      this.result.filtered.push({ reason: 'no-matching-rule', detail: `no rule matches device ${this.message.deviceId}` });
    }
    this.enforceFanOut();
    return this.result;
  }

  private resolve(strategy: TwinIdStrategy): Promise<TwinResolution> {
    let pending = this.resolutions.get(strategy);
    if (!pending) {
      const request = twinIdRequest(strategy, this.message);
      this.result.twinRequests.push(request);
      pending = this.resolveRequest(request);
      this.resolutions.set(strategy, pending);
    }
    return pending;
  }

  private async resolveRequest(request: TwinIdRequest): Promise<TwinResolution> {
    if (request.kind === 'direct') return { ok: true, twins: request.twins };
    if (request.kind === 'unresolved') return { ok: false, reason: 'twin-id-unresolved', detail: request.detail };
    if (!this.context.resolveTwins) {
      return { ok: false, reason: 'twin-id-unresolved', detail: 'query-based twin ids need a resolver (createTwinIdResolver) in the mapping context' };
    }
    return this.context.resolveTwins(request);
  }

  /** The rule's sourceTime source, the global one, or the enqueued time; undefined when unreadable. */
  private sourceTime(source: CompiledSource | undefined, where: string): string | undefined {
    if (!source) return this.message.enqueuedTime;
    const raw = source.read(this.message);
    if (raw === undefined || raw === null) return this.message.enqueuedTime;
    const time = normalizeTimestamp(raw);
    if (time === undefined) {
      this.result.rejected.push({ reason: 'invalid-source-time', detail: `sourceTime ${source.text} = ${JSON.stringify(raw)} is not an ISO 8601 date-time or epoch milliseconds`, where });
    }
    return time;
  }

  private async targets(strategy: TwinIdStrategy, where: string): Promise<ResolvedTwin[] | undefined> {
    const resolution = await this.resolve(strategy);
    if (resolution.ok) return resolution.twins;
    this.result.rejected.push({ reason: resolution.reason, detail: resolution.detail, where });
    return undefined;
  }

  private async applyRule(rule: CompiledRule): Promise<void> {
    const resolved = await this.targets(rule.twinId ?? this.ingest.twinId, rule.where);
    if (!resolved) return;
    const twins = await this.existing(resolved, rule.where);
    const sourceTime = this.sourceTime(rule.sourceTime ?? this.ingest.options.sourceTime, `${rule.where}.sourceTime`);
    if (sourceTime === undefined) return;
    for (const mapping of rule.properties) await this.applyProperty(rule, mapping, twins, sourceTime);
    for (const mapping of rule.telemetry) await this.applyTelemetry(rule, mapping, twins, sourceTime);
  }

  private missing(mapping: CompiledPropertyMapping, detail: string): void {
    if (mapping.onMissing === 'dead-letter') this.result.rejected.push({ reason: 'missing-value', detail, where: mapping.where });
    else this.result.filtered.push({ reason: 'missing-value', detail, where: mapping.where });
  }

  private async applyProperty(rule: CompiledRule, mapping: CompiledPropertyMapping, twins: ResolvedTwin[], sourceTime: string): Promise<void> {
    const raw = mapping.source?.read(this.message);
    if (raw === undefined || raw === null) return this.missing(mapping, `${mapping.source?.text ?? 'source'} is ${raw === null ? 'null' : 'missing'}`);
    const outcome = await mapping.transform(raw, this.bindings);
    if (!outcome.ok) {
      this.result.rejected.push({ reason: 'transform-failed', detail: outcome.detail, where: mapping.where });
      return;
    }
    const value = outcome.value;
    if (value === undefined || value === null) return this.missing(mapping, 'the transform produced no value');
    if (mapping.range && !this.inRange(mapping, value)) return;
    const { component, property } = mapping.target;
    for (const twin of twins) {
      const problem = await this.checkModel(twin, component, property, value, mapping.where);
      if (problem) {
        this.result.rejected.push(problem);
        continue;
      }
      this.pushUpdate(twin.twinId, component, property, value, sourceTime, rule.name);
    }
  }

  private inRange(mapping: CompiledPropertyMapping, value: unknown): boolean {
    const range = mapping.range ?? {};
    if (typeof value !== 'number') {
      this.result.rejected.push({ reason: 'transform-failed', detail: `range check needs a number, got ${JSON.stringify(value)}`, where: mapping.where });
      return false;
    }
    const below = range.min !== undefined && value < range.min;
    const above = range.max !== undefined && value > range.max;
    if (!below && !above) return true;
    const detail = `${value} is ${below ? `below min ${range.min}` : `above max ${range.max}`}`;
    if ((range.action ?? this.ingest.options.outOfRange) === 'dead-letter') this.result.rejected.push({ reason: 'out-of-range', detail, where: mapping.where });
    else this.result.filtered.push({ reason: 'out-of-range', detail, where: mapping.where });
    return false;
  }

  private pushUpdate(twinId: string, component: string | undefined, property: string, value: unknown, sourceTime: string, rule: string): void {
    const update: PropertyUpdate = { twinId, property, value, sourceTime, eventKey: this.message.eventKey, rule };
    if (component !== undefined) update.component = component;
    if (this.message.sequenceNumber !== undefined) update.sequenceNumber = this.message.sequenceNumber;
    if (this.message.messageId !== undefined) update.messageId = this.message.messageId;
    this.result.propertyUpdates.push(update);
  }

  private async applyTelemetry(rule: CompiledRule, mapping: CompiledTelemetryMapping, twins: ResolvedTwin[], sourceTime: string): Promise<void> {
    const payload = await this.telemetryPayload(mapping);
    if (!payload) return;
    for (const twin of twins) this.pushTelemetry(twin.twinId, mapping.component, payload, sourceTime, rule.name);
  }

  private async telemetryPayload(mapping: CompiledTelemetryMapping): Promise<JsonObject | undefined> {
    const { selection } = mapping;
    if (selection.kind === 'all') return this.message.body;
    if (selection.kind === 'expression') {
      let value: unknown;
      try {
        value = await selection.expression.evaluate(this.message.body, this.bindings);
      } catch (error) {
        this.result.rejected.push({ reason: 'transform-failed', detail: `telemetry expression failed: ${(error as Error).message}`, where: mapping.where });
        return undefined;
      }
      if (value === undefined) {
        this.result.filtered.push({ reason: 'missing-value', detail: 'the telemetry expression produced nothing', where: mapping.where });
        return undefined;
      }
      if (!isJsonObject(value)) {
        this.result.rejected.push({ reason: 'transform-failed', detail: `the telemetry expression must produce an object, got ${JSON.stringify(value)}`, where: mapping.where });
        return undefined;
      }
      return value;
    }
    const payload: JsonObject = {};
    for (const field of selection.fields) {
      const value = field.source.read(this.message);
      if (value !== undefined) payload[field.name] = value;
    }
    if (Object.keys(payload).length === 0) {
      this.result.filtered.push({ reason: 'missing-value', detail: `none of the telemetry fields ${selection.fields.map((f) => f.source.text).join(', ')} is present`, where: mapping.where });
      return undefined;
    }
    return payload;
  }

  private pushTelemetry(twinId: string, component: string | undefined, payload: JsonObject, sourceTime: string, rule: string): void {
    const base = this.message.messageId ?? `${this.message.deviceId}:${this.message.eventKey}`;
    // ADT de-duplicates Message-Ids per twin (its components included), so number items per twin.
    const slot = twinId;
    const count = this.telemetryIds.get(slot) ?? 0;
    this.telemetryIds.set(slot, count + 1);
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

  private lookupTwinModel(twin: ResolvedTwin): Promise<string | null | undefined> {
    if (twin.modelId !== undefined) return Promise.resolve(twin.modelId);
    let pending = this.twinModels.get(twin.twinId);
    if (!pending) {
      pending = Promise.resolve(this.context.twinModel?.(twin.twinId));
      this.twinModels.set(twin.twinId, pending);
    }
    return pending;
  }

  private async twinModel(twin: ResolvedTwin): Promise<string | undefined> {
    return (await this.lookupTwinModel(twin)) ?? this.message.modelId;
  }

  /** Drops twins known not to exist, rejecting each once per message (unknown-twin policy dead-letter). */
  private async existing(twins: ResolvedTwin[], where: string | undefined): Promise<ResolvedTwin[]> {
    const present: ResolvedTwin[] = [];
    for (const twin of twins) {
      if ((await this.lookupTwinModel(twin)) !== null) {
        present.push(twin);
        continue;
      }
      if (this.reportedMissing.has(twin.twinId)) continue;
      this.reportedMissing.add(twin.twinId);
      this.result.rejected.push({
        reason: 'unknown-twin',
        detail: `twin ${twin.twinId} does not exist in ADT; create it, fix the twin id mapping, or set ingest.unknownTwin.action to "create"`,
        twinId: twin.twinId,
        ...(where !== undefined && { where }),
      });
    }
    return present;
  }

  private async interfaceOf(twin: ResolvedTwin): Promise<{ modelId?: string; view?: InterfaceView }> {
    const modelId = await this.twinModel(twin);
    if (modelId !== undefined) await this.context.loadModel?.(modelId);
    const view = modelId === undefined ? undefined : this.context.models?.(modelId);
    return { ...(modelId !== undefined && { modelId }), ...(view && { view }) };
  }

  /** With models available, a rule's target must exist in the twin's model and its value must fit. */
  private async checkModel(twin: ResolvedTwin, component: string | undefined, property: string, value: unknown, where: string): Promise<Rejected | undefined> {
    if (!this.context.models) return undefined;
    const { modelId, view: root } = await this.interfaceOf(twin);
    if (!root) return undefined;
    let view = root;
    if (component !== undefined) {
      const definition = root.components.get(component);
      const componentView = definition && this.context.models(definition.interfaceId);
      if (!definition) return { reason: 'unknown-component', detail: `model ${modelId} of twin ${twin.twinId} has no component "${component}"`, where, twinId: twin.twinId };
      if (!componentView) return undefined;
      view = componentView;
    }
    const definition = view.properties.get(property);
    const label = component === undefined ? property : `${component}/${property}`;
    if (!definition) return { reason: 'not-in-model', detail: `${label} is not a property of ${view.id} (twin ${twin.twinId})`, where, twinId: twin.twinId };
    const problems = this.context.validateValue?.(definition.schema, value, `/${label}`) ?? [];
    if (problems.length > 0) return { reason: 'schema-mismatch', detail: problems.join('; '), where, twinId: twin.twinId };
    return undefined;
  }

  private async applyModelDefault(): Promise<void> {
    const resolved = await this.targets(this.ingest.twinId, 'ingest.twinId');
    if (!resolved) return;
    const twins = await this.existing(resolved, undefined);
    const sourceTime = this.sourceTime(this.ingest.options.sourceTime, 'ingest.options.sourceTime');
    if (sourceTime === undefined) return;
    const models = this.context.models;
    for (const twin of twins) {
      const { modelId, view } = await this.interfaceOf(twin);
      if (!models || !view) {
        this.result.filtered.push({
          reason: 'model-unknown',
          detail: `no DTDL model known for twin ${twin.twinId}${modelId ? ` (model ${modelId})` : ''}; add a rule to the pipeline configuration or upload the model`,
          twinId: twin.twinId,
        });
        continue;
      }
      const mapping = modelDrivenMapping(this.message.body, view, models, this.message.component);
      if (mapping.unknownComponent !== undefined) {
        this.result.rejected.push({ reason: 'unknown-component', detail: `dt-subject "${mapping.unknownComponent}" is not a component of ${view.id}`, twinId: twin.twinId });
        continue;
      }
      for (const item of mapping.properties) {
        const label = item.component === undefined ? item.property : `${item.component}/${item.property}`;
        const problems = this.context.validateValue?.(item.definition.schema, item.value, `/${label}`) ?? [];
        if (problems.length > 0) this.result.rejected.push({ reason: 'schema-mismatch', detail: problems.join('; '), twinId: twin.twinId });
        else this.pushUpdate(twin.twinId, item.component, item.property, item.value, sourceTime, MODEL_RULE);
      }
      for (const item of mapping.telemetry) this.pushTelemetry(twin.twinId, item.component, item.payload, sourceTime, MODEL_RULE);
      if (mapping.unmodeled.length > 0) {
        this.result.filtered.push({ reason: 'unmodeled-field', detail: `not in model ${view.id}: ${mapping.unmodeled.join(', ')}`, twinId: twin.twinId });
      }
    }
  }

  private enforceFanOut(): void {
    const twins = new Set([...this.result.propertyUpdates.map((u) => u.twinId), ...this.result.telemetry.map((t) => t.twinId)]);
    const max = this.ingest.options.maxTwinsPerMessage;
    if (twins.size <= max) return;
    this.result.propertyUpdates = [];
    this.result.telemetry = [];
    this.result.rejected.push({ reason: 'fan-out-exceeded', detail: `the message addresses ${twins.size} twins, more than ingest.options.maxTwinsPerMessage (${max})` });
  }
}
