// The JSONata parts of the rules a message selected (property transforms' `expression`, telemetry
// `expression`), evaluated before mapping: JSONata is asynchronous, mapping is not. Only messages whose
// rules have expressions wait here; the mapper reads the outcomes by mapping.

import { jsonataErrorMessage } from '../../common';
import type { CompiledPropertyMapping, CompiledRule, CompiledTelemetryMapping, TransformOutcome } from '../config';
import type { DeviceMessage } from '../message';
import { messageBindings } from './bindings';

/** Each expression's outcome, by the property or telemetry mapping it belongs to. */
export type ExpressionOutcomes = ReadonlyMap<CompiledPropertyMapping | CompiledTelemetryMapping, TransformOutcome>;

const withExpressions = new WeakMap<CompiledRule, boolean>();

/** True when the rule has a JSONata transform or telemetry expression (decided once per rule). */
export function hasExpressions(rule: CompiledRule): boolean {
  let known = withExpressions.get(rule);
  if (known === undefined) {
    known =
      rule.properties.some((p) => p.transform.expression !== undefined) || rule.telemetry.some((t) => t.selection.kind === 'expression');
    withExpressions.set(rule, known);
  }
  return known;
}

export async function evaluateExpressions(message: DeviceMessage, rules: readonly CompiledRule[]): Promise<ExpressionOutcomes> {
  const outcomes = new Map<CompiledPropertyMapping | CompiledTelemetryMapping, TransformOutcome>();
  const bindings = messageBindings(message);
  for (const rule of rules) {
    for (const property of rule.properties) {
      const raw = property.source?.read(message);
      // A missing source value is reported by the mapper; there is nothing to evaluate.
      if (property.transform.expression && raw !== undefined && raw !== null)
        outcomes.set(property, await property.transform.expression(raw, bindings));
    }
    for (const telemetry of rule.telemetry) {
      if (telemetry.selection.kind !== 'expression') continue;
      try {
        outcomes.set(telemetry, { ok: true, value: await telemetry.selection.expression.evaluate(message.body, bindings) });
      } catch (error) {
        outcomes.set(telemetry, { ok: false, detail: jsonataErrorMessage(error) });
      }
    }
  }
  return outcomes;
}
