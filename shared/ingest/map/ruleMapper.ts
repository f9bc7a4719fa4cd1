// The configured mapping: every rule whose `match` holds maps its properties and telemetry (file
// order; a matching `final` rule ends the list). Each value goes source → transform → range → model
// check, and is refused alone when a step fails.

import { type Awaitable, errorMessage, isPromise } from '../../common';
import type { CompiledExpression, CompiledIngest, CompiledPropertyMapping, CompiledRule, CompiledTelemetryMapping, TransformOutcome } from '../config';
import { isJsonObject, type JsonObject, prototypeKeyIn, type Refusal } from '../message';
import type { Mapper } from './mapper';
import type { MessageMapping } from './messageMapping';
import { isRefusal, type TargetFit, targetFit, unchecked } from './modelFit';
import { addModelled } from './modelledValue';
import { type RuleSelection, selectRules } from './selectRules';
import type { ResolvedTwin } from './twinTargets';

export class RuleMapper implements Mapper {
  /** Per rule, the `where` of its sourceTime (built once, not per message). */
  private readonly sourceTimeWhere: Map<CompiledRule, string>;

  constructor(private readonly ingest: CompiledIngest) {
    this.sourceTimeWhere = new Map(ingest.rules.map((rule) => [rule, `${rule.where}.sourceTime`]));
  }

  map(mapping: MessageMapping): Awaitable<boolean> {
    const selection = selectRules(mapping.message, this.ingest.rules);
    return isPromise(selection) ? selection.then((ready) => this.applySelection(mapping, ready)) : this.applySelection(mapping, selection);
  }

  private applySelection(mapping: MessageMapping, selection: RuleSelection): Awaitable<boolean> {
    for (const failure of selection.failures) {
      mapping.reject({ reason: 'rule-condition-failed', detail: `rule "${failure.rule}": ${failure.detail}`, where: failure.where });
    }
    const claimed = selection.rules.length > 0;
    const applied = this.applyRules(mapping, selection.rules, 0);
    return applied === undefined ? claimed : applied.then(() => claimed);
  }

  /** Applies rules[from…] in order; a promise only from the first rule that has to wait. */
  private applyRules(mapping: MessageMapping, rules: readonly CompiledRule[], from: number): Promise<void> | undefined {
    for (let index = from; index < rules.length; index++) {
      const pending = this.applyRule(mapping, rules[index] as CompiledRule);
      if (pending !== undefined) return pending.then(() => this.applyRules(mapping, rules, index + 1));
    }
    return undefined;
  }

  private applyRule(mapping: MessageMapping, rule: CompiledRule): Promise<void> | undefined {
    const twins = mapping.targets(rule.twinId ?? this.ingest.twinId, rule.where);
    return isPromise(twins) ? twins.then((ready) => this.applyRuleTo(mapping, rule, ready)) : this.applyRuleTo(mapping, rule, twins);
  }

  private applyRuleTo(mapping: MessageMapping, rule: CompiledRule, twins: ResolvedTwin[] | undefined): Promise<void> | undefined {
    if (!twins) return undefined;
    const sourceTime = mapping.sourceTime(rule.sourceTime ?? this.ingest.options.sourceTime, this.sourceTimeWhere.get(rule) ?? `${rule.where}.sourceTime`);
    if (sourceTime === undefined) return undefined;
    return new RuleApplication(this.ingest, mapping, rule, twins, sourceTime).properties(0);
  }
}

/**
 * One rule applied to one message: its properties, then its telemetry, each value to every target
 * twin. Written as loops that resume at an index, so nothing allocates a closure or a promise unless
 * a step really has to wait (a JSONata transform, a twin's model not yet read).
 */
class RuleApplication {
  constructor(
    private readonly ingest: CompiledIngest,
    private readonly mapping: MessageMapping,
    private readonly rule: CompiledRule,
    private readonly twins: ResolvedTwin[],
    private readonly sourceTime: string,
  ) {}

  properties(from: number): Promise<void> | undefined {
    const properties = this.rule.properties;
    for (let index = from; index < properties.length; index++) {
      const pending = this.property(properties[index] as CompiledPropertyMapping);
      if (pending !== undefined) return pending.then(() => this.properties(index + 1));
    }
    return this.telemetry(0);
  }

  private property(property: CompiledPropertyMapping): Promise<void> | undefined {
    const raw = property.source?.read(this.mapping.message);
    if (raw === undefined || raw === null) {
      this.missing(property, `${property.source?.text ?? 'source'} is ${raw === null ? 'null' : 'missing'}`);
      return undefined;
    }
    const outcome = property.transform(raw, this.mapping);
    return isPromise(outcome) ? outcome.then((ready) => this.transformed(property, ready)) : this.transformed(property, outcome);
  }

  private transformed(property: CompiledPropertyMapping, outcome: TransformOutcome): Promise<void> | undefined {
    if (!outcome.ok) {
      this.mapping.reject({ reason: 'transform-failed', detail: outcome.detail, where: property.where });
      return undefined;
    }
    const value = outcome.value;
    if (value === undefined || value === null) {
      this.missing(property, 'the transform produced no value');
      return undefined;
    }
    if (property.range && !this.inRange(property, value)) return undefined;
    return this.valueToTwins(property, value, 0);
  }

  private valueToTwins(property: CompiledPropertyMapping, value: unknown, from: number): Promise<void> | undefined {
    const { component, property: name } = property.target;
    for (let index = from; index < this.twins.length; index++) {
      const twin = this.twins[index] as ResolvedTwin;
      const target = modelTarget(this.mapping, twin, component, name);
      if (isPromise(target)) {
        return target.then((ready) => {
          this.write(property, value, twin, ready);
          return this.valueToTwins(property, value, index + 1);
        });
      }
      this.write(property, value, twin, target);
    }
    return undefined;
  }

  private write(property: CompiledPropertyMapping, value: unknown, twin: ResolvedTwin, target: TargetFit | Refusal): void {
    if (isRefusal(target)) {
      this.mapping.reject({ ...target, where: property.where });
      return;
    }
    const { component, property: name } = property.target;
    addModelled(this.mapping, { twinId: twin.twinId, component, property: name, value, sourceTime: this.sourceTime, rule: this.rule.name, where: property.where, schema: target.schema });
  }

  private missing(property: CompiledPropertyMapping, detail: string): void {
    const part = { reason: 'missing-value' as const, detail, where: property.where };
    if (property.onMissing === 'dead-letter') this.mapping.reject(part);
    else this.mapping.filter(part);
  }

  private inRange(property: CompiledPropertyMapping, value: unknown): boolean {
    const range = property.range ?? {};
    if (typeof value !== 'number') {
      this.mapping.reject({ reason: 'transform-failed', detail: `range check needs a number, got ${JSON.stringify(value)}`, where: property.where });
      return false;
    }
    const below = range.min !== undefined && value < range.min;
    const above = range.max !== undefined && value > range.max;
    if (!below && !above) return true;
    const part = { reason: 'out-of-range' as const, detail: `${value} is ${below ? `below min ${range.min}` : `above max ${range.max}`}`, where: property.where };
    if ((range.action ?? this.ingest.options.outOfRange) === 'dead-letter') this.mapping.reject(part);
    else this.mapping.filter(part);
    return false;
  }

  private telemetry(from: number): Promise<void> | undefined {
    const telemetry = this.rule.telemetry;
    for (let index = from; index < telemetry.length; index++) {
      const mapping = telemetry[index] as CompiledTelemetryMapping;
      const payload = telemetryPayload(this.mapping, mapping);
      if (isPromise(payload)) {
        return payload.then((ready) => {
          this.publish(mapping, ready);
          return this.telemetry(index + 1);
        });
      }
      this.publish(mapping, payload);
    }
    return undefined;
  }

  private publish(telemetry: CompiledTelemetryMapping, payload: JsonObject | undefined): void {
    if (!payload) return;
    for (const twin of this.twins) this.mapping.addTelemetry(twin.twinId, telemetry.component, payload, this.sourceTime, this.rule.name);
  }
}

function telemetryPayload(mapping: MessageMapping, telemetry: CompiledTelemetryMapping): Awaitable<JsonObject | undefined> {
  const { selection, where } = telemetry;
  const body = mapping.message.body;
  if (selection.kind === 'all') return body;
  if (selection.kind === 'expression') return expressionPayload(mapping, selection.expression, where);
  const payload: JsonObject = {};
  let fields = 0;
  for (const field of selection.fields) {
    const value = field.source.read(mapping.message);
    if (value !== undefined) {
      payload[field.name] = value;
      fields += 1;
    }
  }
  if (fields === 0) {
    mapping.filter({ reason: 'missing-value', detail: `none of the telemetry fields ${selection.fields.map((f) => f.source.text).join(', ')} is present`, where });
    return undefined;
  }
  return payload;
}

async function expressionPayload(mapping: MessageMapping, expression: CompiledExpression, where: string): Promise<JsonObject | undefined> {
  let value: unknown;
  try {
    value = await expression.evaluate(mapping.message.body, mapping.bindings);
  } catch (error) {
    mapping.reject({ reason: 'transform-failed', detail: `telemetry expression failed: ${errorMessage(error)}`, where });
    return undefined;
  }
  if (value === undefined) {
    mapping.filter({ reason: 'missing-value', detail: 'the telemetry expression produced nothing', where });
    return undefined;
  }
  if (!isJsonObject(value)) {
    mapping.reject({ reason: 'transform-failed', detail: `the telemetry expression must produce an object, got ${JSON.stringify(value)}`, where });
    return undefined;
  }
  const prototypeKey = prototypeKeyIn(value);
  if (prototypeKey !== undefined) {
    mapping.reject({ reason: 'prototype-key', detail: `the telemetry expression produced a key __proto__, constructor or prototype (or an object built through one) at ${prototypeKey}`, where });
    return undefined;
  }
  return value;
}

/** With models available, a rule's target must exist in the twin's model (model fit); its schema, when known. */
function modelTarget(mapping: MessageMapping, twin: ResolvedTwin, component: string | undefined, property: string): Awaitable<TargetFit | Refusal> {
  const models = mapping.context.models;
  if (!models) return unchecked;
  const known = mapping.interfaceOf(twin);
  return isPromise(known) ? known.then((ready) => targetFit(ready, twin.twinId, models, component, property)) : targetFit(known, twin.twinId, models, component, property);
}
