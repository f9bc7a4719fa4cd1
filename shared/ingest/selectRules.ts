// Rule selection: a rule applies when every criterion of its `match` holds (no criteria = always).
// All applicable rules run in file order; a matching rule with `final: true` ends the list.

import { errorMessage } from '../common';
import { messageBindings } from './bindings';
import type { DeviceMessage } from './deviceMessage';
import type { CompiledRule } from './ingestConfig';
import { lookupProperty } from './properties';

export interface RuleSelection {
  rules: CompiledRule[];
  /** Rules whose `when` expression failed; they are skipped and reported. */
  failures: Array<{ rule: string; where: string; detail: string }>;
}

export async function selectRules(message: DeviceMessage, rules: readonly CompiledRule[]): Promise<RuleSelection> {
  const selection: RuleSelection = { rules: [], failures: [] };
  for (const rule of rules) {
    const { match } = rule;
    if (match.modelId && !match.modelId(message.modelId)) continue;
    if (match.deviceId && !match.deviceId(message.deviceId)) continue;
    if (match.moduleId && !match.moduleId(message.moduleId)) continue;
    if (match.component && !match.component(message.component)) continue;
    if (!match.properties.every((p) => p.accepts(lookupProperty(message.properties, p.name)))) continue;
    if (match.when) {
      try {
        const verdict = await match.when.evaluate(message.body, messageBindings(message));
        if (verdict !== true) continue;
      } catch (error) {
        selection.failures.push({ rule: rule.name, where: `${rule.where}.match.when`, detail: errorMessage(error) });
        continue;
      }
    }
    selection.rules.push(rule);
    if (rule.final) break;
  }
  return selection;
}
