// The configured mapping: every rule whose `match` holds maps its properties and telemetry (file
// order; a matching `final` rule ends the list). Each value goes source → transform → range → model
// check, and is refused alone when a step fails.

import { type Awaitable, errorMessage, forEachInOrder, then } from '../common';
import type { Schema } from '../dtdl';
import type { JsonObject } from './deviceMessage';
import { isJsonObject } from './deviceMessage';
import type { CompiledExpression } from './expression';
import type { CompiledIngest, CompiledPropertyMapping, CompiledRule, CompiledTelemetryMapping } from './ingestConfig';
import type { Mapper } from './mapper';
import type { Rejected } from './mappingResult';
import type { MessageMapping } from './messageMapping';
import { addModelled } from './modelledValue';
import { selectRules } from './selectRules';
import type { ResolvedTwin } from './twinTargets';

export class RuleMapper implements Mapper {
  constructor(private readonly ingest: CompiledIngest) {}

  map(mapping: MessageMapping): Awaitable<boolean> {
    return then(selectRules(mapping.message, this.ingest.rules), (selection) => {
      for (const failure of selection.failures) {
        mapping.reject({ reason: 'rule-condition-failed', detail: `rule "${failure.rule}": ${failure.detail}`, where: failure.where });
      }
      return then(
        forEachInOrder(selection.rules, (rule) => this.applyRule(mapping, rule)),
        () => selection.rules.length > 0,
      );
    });
  }

  private applyRule(mapping: MessageMapping, rule: CompiledRule): Awaitable<void> {
    return then(mapping.targets(rule.twinId ?? this.ingest.twinId, rule.where), (twins) => {
      if (!twins) return undefined;
      const sourceTime = mapping.sourceTime(rule.sourceTime ?? this.ingest.options.sourceTime, `${rule.where}.sourceTime`);
      if (sourceTime === undefined) return undefined;
      return then(
        forEachInOrder(rule.properties, (property) => this.applyProperty(mapping, rule, property, twins, sourceTime)),
        () => forEachInOrder(rule.telemetry, (telemetry) => this.applyTelemetry(mapping, rule, telemetry, twins, sourceTime)),
      );
    });
  }

  private missing(mapping: MessageMapping, property: CompiledPropertyMapping, detail: string): void {
    const part = { reason: 'missing-value' as const, detail, where: property.where };
    if (property.onMissing === 'dead-letter') mapping.reject(part);
    else mapping.filter(part);
  }

  private applyProperty(mapping: MessageMapping, rule: CompiledRule, property: CompiledPropertyMapping, twins: ResolvedTwin[], sourceTime: string): Awaitable<void> {
    const raw = property.source?.read(mapping.message);
    if (raw === undefined || raw === null) return this.missing(mapping, property, `${property.source?.text ?? 'source'} is ${raw === null ? 'null' : 'missing'}`);
    return then(property.transform(raw, mapping), (outcome) => {
      if (!outcome.ok) {
        mapping.reject({ reason: 'transform-failed', detail: outcome.detail, where: property.where });
        return undefined;
      }
      const value = outcome.value;
      if (value === undefined || value === null) return this.missing(mapping, property, 'the transform produced no value');
      if (property.range && !this.inRange(mapping, property, value)) return undefined;
      const { component, property: name } = property.target;
      return forEachInOrder(twins, (twin) =>
        then(modelTarget(mapping, twin, component, name, property.where), (target) => {
          if ('problem' in target) mapping.reject(target.problem);
          else addModelled(mapping, { twinId: twin.twinId, component, property: name, value, sourceTime, rule: rule.name, where: property.where, schema: target.schema });
        }),
      );
    });
  }

  private inRange(mapping: MessageMapping, property: CompiledPropertyMapping, value: unknown): boolean {
    const range = property.range ?? {};
    if (typeof value !== 'number') {
      mapping.reject({ reason: 'transform-failed', detail: `range check needs a number, got ${JSON.stringify(value)}`, where: property.where });
      return false;
    }
    const below = range.min !== undefined && value < range.min;
    const above = range.max !== undefined && value > range.max;
    if (!below && !above) return true;
    const part = { reason: 'out-of-range' as const, detail: `${value} is ${below ? `below min ${range.min}` : `above max ${range.max}`}`, where: property.where };
    if ((range.action ?? this.ingest.options.outOfRange) === 'dead-letter') mapping.reject(part);
    else mapping.filter(part);
    return false;
  }

  private applyTelemetry(mapping: MessageMapping, rule: CompiledRule, telemetry: CompiledTelemetryMapping, twins: ResolvedTwin[], sourceTime: string): Awaitable<void> {
    return then(telemetryPayload(mapping, telemetry), (payload) => {
      if (!payload) return;
      for (const twin of twins) mapping.addTelemetry(twin.twinId, telemetry.component, payload, sourceTime, rule.name);
    });
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
  return value;
}

/** With models available, a rule's target must exist in the twin's model; its schema, when known. */
function modelTarget(mapping: MessageMapping, twin: ResolvedTwin, component: string | undefined, property: string, where: string): Awaitable<ModelTarget> {
  const models = mapping.context.models;
  if (!models) return anySchema;
  return then(mapping.interfaceOf(twin), ({ modelId, view: root }) => {
    if (!root) return anySchema;
    let view = root;
    if (component !== undefined) {
      const definition = root.components.get(component);
      if (!definition) return { problem: { reason: 'unknown-component', detail: `model ${modelId} of twin ${twin.twinId} has no component "${component}"`, where, twinId: twin.twinId } };
      const componentView = models(definition.interfaceId);
      if (!componentView) return anySchema;
      view = componentView;
    }
    const definition = view.properties.get(property);
    const label = component === undefined ? property : `${component}/${property}`;
    if (!definition) return { problem: { reason: 'not-in-model', detail: `${label} is not a property of ${view.id} (twin ${twin.twinId})`, where, twinId: twin.twinId } };
    return { schema: definition.schema };
  });
}

type ModelTarget = { schema?: Schema } | { problem: Rejected };

/** No model to check against: the value is written as it is. */
const anySchema: ModelTarget = Object.freeze({});
