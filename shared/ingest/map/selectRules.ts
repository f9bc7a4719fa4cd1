// Rule selection: a rule applies when every criterion of its `match` holds (no criteria = always).
// All applicable rules run in file order; a matching rule with `final: true` ends the list. Only a
// `when` expression needs a wait (JSONata evaluates asynchronously): such messages are selected with
// selectRulesEvaluatingWhen before mapping, every other message with selectRules at once.

import { jsonataErrorMessage } from '../../common';
import type { CompiledRule } from '../config';
import { type DeviceMessage, lookupProperty } from '../message';
import { messageBindings } from './bindings';

export interface RuleSelection {
  rules: CompiledRule[];
  /** Rules whose `when` expression failed; they are skipped and reported. */
  failures: Array<{ rule: string; where: string; detail: string }>;
}

/** The rules that apply, or undefined when a candidate rule's `when` must be evaluated first. */
export function selectRules(message: DeviceMessage, rules: readonly CompiledRule[]): RuleSelection | undefined {
  const selection: RuleSelection = { rules: [], failures: [] };
  for (const rule of rules) {
    if (!matchesWithoutWhen(message, rule)) continue;
    if (rule.match.when) return undefined;
    selection.rules.push(rule);
    if (rule.final) break;
  }
  return selection;
}

/** The rules that apply, evaluating `when` expressions in order (a failing one is skipped and reported). */
export async function selectRulesEvaluatingWhen(message: DeviceMessage, rules: readonly CompiledRule[]): Promise<RuleSelection> {
  const selection: RuleSelection = { rules: [], failures: [] };
  for (const rule of rules) {
    if (!matchesWithoutWhen(message, rule)) continue;
    if (rule.match.when) {
      try {
        if ((await rule.match.when.evaluate(message.body, messageBindings(message))) !== true) continue;
      } catch (error) {
        selection.failures.push({ rule: rule.name, where: `${rule.where}.match.when`, detail: jsonataErrorMessage(error) });
        continue;
      }
    }
    selection.rules.push(rule);
    if (rule.final) break;
  }
  return selection;
}

function matchesWithoutWhen(message: DeviceMessage, rule: CompiledRule): boolean {
  const { match } = rule;
  // A rule maps telemetry unless it names the kinds it is for: an event is never mapped as telemetry.
  const kind = message.source?.kind ?? 'telemetry';
  if (match.source ? !match.source.has(kind) : kind !== 'telemetry') return false;
  if (match.modelId && !match.modelId(message.modelId)) return false;
  if (match.deviceId && !match.deviceId(message.deviceId)) return false;
  if (match.moduleId && !match.moduleId(message.moduleId)) return false;
  if (match.component && !match.component(message.component)) return false;
  for (const property of match.properties) if (!property.accepts(lookupProperty(message.properties, property.name))) return false;
  return true;
}
