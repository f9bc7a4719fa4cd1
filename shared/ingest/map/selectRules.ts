// Rule selection: a rule applies when every criterion of its `match` holds (no criteria = always).
// All applicable rules run in file order; a matching rule with `final: true` ends the list. Only a
// `when` expression needs a wait (JSONata evaluates asynchronously); without one selection is ready at once.

import { type Awaitable, jsonataErrorMessage } from '../../common';
import type { CompiledRule } from '../config';
import { type DeviceMessage, lookupProperty } from '../message';
import { messageBindings } from './bindings';

export interface RuleSelection {
  rules: CompiledRule[];
  /** Rules whose `when` expression failed; they are skipped and reported. */
  failures: Array<{ rule: string; where: string; detail: string }>;
}

export function selectRules(message: DeviceMessage, rules: readonly CompiledRule[]): Awaitable<RuleSelection> {
  return continueSelection(message, rules, 0, { rules: [], failures: [] });
}

function continueSelection(message: DeviceMessage, rules: readonly CompiledRule[], from: number, selection: RuleSelection): Awaitable<RuleSelection> {
  for (let index = from; index < rules.length; index++) {
    const rule = rules[index] as CompiledRule;
    if (!matchesWithoutWhen(message, rule)) continue;
    if (rule.match.when) return whenHolds(message, rule, selection).then((holds) => (holds && rule.final ? selection : continueSelection(message, rules, index + 1, selection)));
    selection.rules.push(rule);
    if (rule.final) break;
  }
  return selection;
}

function matchesWithoutWhen(message: DeviceMessage, rule: CompiledRule): boolean {
  const { match } = rule;
  if (match.modelId && !match.modelId(message.modelId)) return false;
  if (match.deviceId && !match.deviceId(message.deviceId)) return false;
  if (match.moduleId && !match.moduleId(message.moduleId)) return false;
  if (match.component && !match.component(message.component)) return false;
  for (const property of match.properties) if (!property.accepts(lookupProperty(message.properties, property.name))) return false;
  return true;
}

/** Evaluates the rule's `when`; a matching rule joins the selection, a failing expression is reported. */
async function whenHolds(message: DeviceMessage, rule: CompiledRule, selection: RuleSelection): Promise<boolean> {
  try {
    const verdict = await rule.match.when?.evaluate(message.body, messageBindings(message));
    if (verdict !== true) return false;
  } catch (error) {
    selection.failures.push({ rule: rule.name, where: `${rule.where}.match.when`, detail: jsonataErrorMessage(error) });
    return false;
  }
  selection.rules.push(rule);
  return true;
}
