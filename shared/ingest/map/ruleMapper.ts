// The configured mapping: every rule whose `match` holds maps its properties and telemetry (file
// order; a matching `final` rule ends the list). Each value goes source → transform → range → model
// fit, and is refused alone when a step fails. Rule selection and the rules' JSONata expressions were
// evaluated before mapping (map/lookups), so this is plain synchronous code.

import type {
  CompiledIngest,
  CompiledPropertyMapping,
  CompiledRule,
  CompiledTelemetryMapping,
  TransformOutcome,
  TwinIdStrategy,
} from '../config';
import { isJsonObject, type JsonObject, prototypeKeyIn, type Refusal } from '../message';
import type { Lookups, PreparedMessage } from './lookups';
import type { Mapper, MappingResult } from './mappingResult';
import { isRefusal, type TargetFit, targetFit, unchecked } from './modelFit';
import { ResultBuilder } from './resultBuilder';
import type { ResolvedTwin } from './twinTargets';
import { addValue } from './valueUpdates';

export class RuleMapper implements Mapper {
  /** Per rule, the `where` of its sourceTime and the twin-id strategy it needs (built once, not per message). */
  private readonly sourceTimeWhere: Map<CompiledRule, string>;
  private readonly strategies: Map<CompiledRule, readonly TwinIdStrategy[]>;

  constructor(private readonly ingest: CompiledIngest) {
    this.sourceTimeWhere = new Map(ingest.rules.map((rule) => [rule, `${rule.where}.sourceTime`]));
    this.strategies = new Map(ingest.rules.map((rule) => [rule, [rule.twinId ?? ingest.twinId]]));
  }

  claims({ selection }: PreparedMessage): readonly TwinIdStrategy[] | undefined {
    const { rules } = selection;
    if (rules.length === 0) return undefined;
    if (rules.length === 1) return this.strategies.get(rules[0] as CompiledRule);
    return [...new Set(rules.map((rule) => rule.twinId ?? this.ingest.twinId))];
  }

  map(prepared: PreparedMessage, lookups: Lookups): MappingResult {
    const result = new ResultBuilder(prepared, this.ingest, lookups);
    for (const rule of prepared.selection.rules) {
      const twins = result.targets(rule.twinId ?? this.ingest.twinId, rule.where);
      if (!twins) continue;
      const sourceTime = result.sourceTime(
        rule.sourceTime ?? this.ingest.options.sourceTime,
        this.sourceTimeWhere.get(rule) ?? `${rule.where}.sourceTime`,
      );
      if (sourceTime === undefined) continue;
      const application = new RuleApplication(this.ingest, result, rule, twins, sourceTime, prepared.expressions);
      for (const property of rule.properties) application.property(property);
      for (const telemetry of rule.telemetry) application.telemetry(telemetry);
    }
    return result.finish();
  }
}

/** One rule applied to one message: each of its properties and telemetry items, to every target twin. */
class RuleApplication {
  constructor(
    private readonly ingest: CompiledIngest,
    private readonly result: ResultBuilder,
    private readonly rule: CompiledRule,
    private readonly twins: ResolvedTwin[],
    private readonly sourceTime: string,
    private readonly expressions: PreparedMessage['expressions'],
  ) {}

  property(property: CompiledPropertyMapping): void {
    const raw = property.source?.read(this.result.message);
    if (raw === undefined || raw === null) {
      this.missing(property, `${property.source?.text ?? 'source'} is ${raw === null ? 'null' : 'missing'}`);
      return;
    }
    const outcome = this.transform(property, raw);
    if (!outcome.ok) {
      this.result.reject({ reason: 'transform-failed', detail: outcome.detail, where: property.where });
      return;
    }
    const value = outcome.value;
    if (value === undefined || value === null) {
      this.missing(property, 'the transform produced no value');
      return;
    }
    if (property.range && !this.inRange(property, value)) return;
    const { component, property: name } = property.target;
    for (const twin of this.twins) this.write(property, value, twin, this.modelTarget(twin, component, name));
  }

  /** The JSONata step's outcome (evaluated before mapping), then the synchronous steps. */
  private transform(property: CompiledPropertyMapping, raw: unknown): TransformOutcome {
    if (!property.transform.expression) return property.transform.apply(raw);
    const evaluated = this.expressions?.get(property);
    if (!evaluated) throw new Error(`${property.where}: its expression was not evaluated before mapping.`);
    if (!evaluated.ok || evaluated.value === undefined) return evaluated;
    return property.transform.apply(evaluated.value);
  }

  /** With models available, the target must exist in the twin's model (model fit); its schema, when known. */
  private modelTarget(twin: ResolvedTwin, component: string | undefined, property: string): TargetFit | Refusal {
    const models = this.result.lookups.sources.models;
    if (!models) return unchecked;
    return targetFit(this.result.interfaceOf(twin), twin.twinId, models, component, property);
  }

  private write(property: CompiledPropertyMapping, value: unknown, twin: ResolvedTwin, target: TargetFit | Refusal): void {
    if (isRefusal(target)) {
      this.result.reject({ ...target, where: property.where });
      return;
    }
    const { component, property: name } = property.target;
    const count = this.result.updateCount();
    addValue(this.result, {
      twinId: twin.twinId,
      component,
      property: name,
      value,
      sourceTime: this.sourceTime,
      rule: this.rule.name,
      where: property.where,
      schema: target.schema,
    });
    if (property.transform.stateful) this.result.statefulSince(count, property.transform.stateful);
  }

  private missing(property: CompiledPropertyMapping, detail: string): void {
    const part = { reason: 'missing-value' as const, detail, where: property.where };
    if (property.onMissing === 'dead-letter') this.result.reject(part);
    else this.result.filter(part);
  }

  private inRange(property: CompiledPropertyMapping, value: unknown): boolean {
    const range = property.range ?? {};
    if (typeof value !== 'number') {
      this.result.reject({
        reason: 'transform-failed',
        detail: `range check needs a number, got ${JSON.stringify(value)}`,
        where: property.where,
      });
      return false;
    }
    const below = range.min !== undefined && value < range.min;
    const above = range.max !== undefined && value > range.max;
    if (!below && !above) return true;
    const part = {
      reason: 'out-of-range' as const,
      detail: `${value} is ${below ? `below min ${range.min}` : `above max ${range.max}`}`,
      where: property.where,
    };
    if ((range.action ?? this.ingest.options.outOfRange) === 'dead-letter') this.result.reject(part);
    else this.result.filter(part);
    return false;
  }

  telemetry(telemetry: CompiledTelemetryMapping): void {
    const payload = this.payload(telemetry);
    if (!payload) return;
    for (const twin of this.twins) this.result.addTelemetry(twin.twinId, telemetry.component, payload, this.sourceTime, this.rule.name);
  }

  private payload(telemetry: CompiledTelemetryMapping): JsonObject | undefined {
    const { selection, where } = telemetry;
    const message = this.result.message;
    if (selection.kind === 'all') return message.body;
    if (selection.kind === 'expression') return this.expressionPayload(telemetry);
    const payload: JsonObject = {};
    let fields = 0;
    for (const field of selection.fields) {
      const value = field.source.read(message);
      if (value !== undefined) {
        payload[field.name] = value;
        fields += 1;
      }
    }
    if (fields === 0) {
      this.result.filter({
        reason: 'missing-value',
        detail: `none of the telemetry fields ${selection.fields.map((f) => f.source.text).join(', ')} is present`,
        where,
      });
      return undefined;
    }
    return payload;
  }

  /** The telemetry expression's outcome (evaluated before mapping): an object, or refused. */
  private expressionPayload(telemetry: CompiledTelemetryMapping): JsonObject | undefined {
    const where = telemetry.where;
    const outcome = this.expressions?.get(telemetry);
    if (!outcome) throw new Error(`${where}: its expression was not evaluated before mapping.`);
    if (!outcome.ok) {
      this.result.reject({ reason: 'transform-failed', detail: `telemetry expression failed: ${outcome.detail}`, where });
      return undefined;
    }
    const value = outcome.value;
    if (value === undefined) {
      this.result.filter({ reason: 'missing-value', detail: 'the telemetry expression produced nothing', where });
      return undefined;
    }
    if (!isJsonObject(value)) {
      this.result.reject({
        reason: 'transform-failed',
        detail: `the telemetry expression must produce an object, got ${JSON.stringify(value)}`,
        where,
      });
      return undefined;
    }
    const prototypeKey = prototypeKeyIn(value);
    if (prototypeKey !== undefined) {
      this.result.reject({
        reason: 'prototype-key',
        detail: `the telemetry expression produced a key __proto__, constructor or prototype (or an object built through one) at ${prototypeKey}`,
        where,
      });
      return undefined;
    }
    return value;
  }
}
