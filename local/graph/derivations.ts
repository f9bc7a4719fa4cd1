// Which property of which model a roll-up rule derives, so the graph can mark derived values with the
// rule that computes them (a derived value and a reported one look alike in the twin itself).
import type { RollupRule, TargetSpec } from '../../shared/rollup';

export interface Derivation {
  rule: string;
  /** e.g. "avg of temperature over hasDevice → Thermostat" */
  how: string;
}

/** model id → property → the rule deriving it. */
export type Derivations = Record<string, Record<string, Derivation>>;

/** `dtmi:example:building:Room;1` → `Room`. */
export function shortModel(model: string): string {
  return /:([^:;]+);\d+$/.exec(model)?.[1] ?? model;
}

function describeTarget(spec: TargetSpec): string {
  if ('expression' in spec) {
    const inputs = Object.entries(spec.inputs).map(([name, input]) => `$${name} = ${input.aggregate}${input.of ? ` of ${input.of}` : ''}`);
    return `${spec.expression} with ${inputs.join(', ')}`;
  }
  return `${spec.aggregate}${spec.of ? ` of ${spec.of}` : ' of children'}${spec.weight ? ` weighted by ${spec.weight}` : ''}`;
}

export function derivationsOf(rules: readonly RollupRule[]): Derivations {
  const out: Derivations = {};
  for (const rule of rules) {
    const over = `${rule.direction === 'incoming' ? 'incoming ' : ''}${rule.relationships.join('|')}${rule.childModel ? ` → ${shortModel(rule.childModel)}` : ''}${rule.where ? ` where ${rule.where}` : ''}`;
    const byProperty = (out[rule.parentModel] ??= {});
    for (const [property, spec] of Object.entries(rule.properties))
      byProperty[property] = { rule: rule.name, how: `${describeTarget(spec)} over ${over}` };
  }
  return out;
}

/** The rules of a pipeline configuration's `rollups` section (schema-validated when it was loaded). */
export function rollupRulesOf(rollups: unknown): RollupRule[] {
  const rules = (rollups as { rules?: unknown } | undefined)?.rules;
  return Array.isArray(rules) ? (rules as RollupRule[]) : [];
}
