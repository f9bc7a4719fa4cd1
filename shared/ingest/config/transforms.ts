// Value transforms of a property mapping, applied in a fixed, documented order:
//   expression (JSONata) → unit → scale → offset → round → type
// A failing step rejects that one value (reason transform-failed); the rest of the message still applies.
// The expression is evaluated before mapping (JSONata is asynchronous; map/ruleExpressions), so
// mapping itself only applies the synchronous steps to its result.

import { jsonataErrorMessage } from '../../common';
import type { StatefulTransform } from '../message';
import { type CompiledExpression, compileExpression } from './expression';
import { compileStatefulTransform, type StatefulTransformConfig } from './statefulTransform';
import { unitConverter } from './units';

/** The `transform` of a property mapping as written in the file (a stateful step last: config/statefulTransform). */
export interface TransformConfig extends StatefulTransformConfig {
  expression?: string;
  unit?: { from: string; to: string };
  scale?: number;
  offset?: number;
  round?: number;
  type?: 'number' | 'integer' | 'boolean' | 'string';
}

export type TransformOutcome = { ok: true; value: unknown } | { ok: false; detail: string };

export interface CompiledTransform {
  /** The JSONata step, when there is one: it runs first, and its result goes through `apply`. */
  expression?: (value: unknown, bindings: Record<string, unknown>) => Promise<TransformOutcome>;
  /** Every other step, in order (synchronous). */
  apply(value: unknown): TransformOutcome;
  /** A stateful step: the writer folds the readings `apply` produced over the twin's stored state. */
  stateful?: StatefulTransform;
}

type Step = (value: unknown) => TransformOutcome;

/** Compiles a transform; returns error texts keyed by the transform field they concern. */
export function compileTransform(config: TransformConfig | undefined): CompiledTransform | Array<{ field: string; error: string }> {
  const errors: Array<{ field: string; error: string }> = [];
  const steps: Step[] = [];
  let expression: CompiledExpression | undefined;
  if (config?.expression !== undefined) {
    const compiled = compileExpression(config.expression);
    if (typeof compiled === 'string') errors.push({ field: 'expression', error: compiled });
    else expression = compiled;
  }
  if (config?.unit) {
    const convert = unitConverter(config.unit.from, config.unit.to);
    if (typeof convert === 'string') errors.push({ field: 'unit', error: convert });
    else steps.push(numeric(`unit ${config.unit.from}→${config.unit.to}`, convert));
  }
  const { scale, offset, round, type } = config ?? {};
  if (scale !== undefined) steps.push(numeric('scale', (v) => v * scale));
  if (offset !== undefined) steps.push(numeric('offset', (v) => v + offset));
  if (round !== undefined) steps.push(numeric('round', (v) => roundTo(v, round)));
  if (type !== undefined) steps.push(coercers[type]);
  const { stateful, errors: statefulErrors } = compileStatefulTransform(config ?? {});
  errors.push(...statefulErrors);
  if (stateful !== undefined) steps.push(numeric(stateful.kind, (v) => v));
  if (errors.length > 0) return errors;

  const applySteps = (input: unknown): TransformOutcome => {
    let value = input;
    for (const step of steps) {
      const outcome = step(value);
      if (!outcome.ok) return outcome;
      value = outcome.value;
    }
    return { ok: true, value };
  };
  if (!expression) return { apply: applySteps, ...(stateful && { stateful }) };
  const evaluate = expression.evaluate.bind(expression);
  return {
    apply: applySteps,
    ...(stateful && { stateful }),
    async expression(input, bindings) {
      try {
        return { ok: true, value: await evaluate(input, bindings) };
      } catch (error) {
        return { ok: false, detail: `expression failed: ${jsonataErrorMessage(error)}` };
      }
    },
  };
}

function describe(value: unknown): string {
  return `${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value} ${JSON.stringify(value)?.slice(0, 60) ?? ''}`.trim();
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value.trim());
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function numeric(label: string, op: (value: number) => number): Step {
  return (value) => {
    const number = toNumber(value);
    if (number === undefined) return { ok: false, detail: `${label} needs a number, got ${describe(value)}` };
    const result = op(number);
    if (!Number.isFinite(result)) return { ok: false, detail: `${label} gave a non-finite result for ${number}` };
    return { ok: true, value: result };
  };
}

export function roundTo(value: number, decimals: number): number {
  // Exponent arithmetic avoids binary artefacts such as 1.005 → 1.00.
  const shifted = Math.round(Number(`${value}e${decimals}`));
  return Number(`${shifted}e-${decimals}`);
}

const truthy = new Set(['true', '1', 'on', 'yes']);
const falsy = new Set(['false', '0', 'off', 'no']);

const coercers: Readonly<Record<NonNullable<TransformConfig['type']>, Step>> = {
  number: (value) => {
    if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
    const number = toNumber(value);
    return number === undefined ? { ok: false, detail: `cannot make a number of ${describe(value)}` } : { ok: true, value: number };
  },
  integer: (value) => {
    if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
    const number = toNumber(value);
    if (number === undefined) return { ok: false, detail: `cannot make an integer of ${describe(value)}` };
    return { ok: true, value: Math.round(number) };
  },
  boolean: (value) => {
    if (typeof value === 'boolean') return { ok: true, value };
    if (value === 1 || value === 0) return { ok: true, value: value === 1 };
    if (typeof value === 'string') {
      const text = value.trim().toLowerCase();
      if (truthy.has(text)) return { ok: true, value: true };
      if (falsy.has(text)) return { ok: true, value: false };
    }
    return { ok: false, detail: `cannot make a boolean of ${describe(value)}; accepted: true/false, 1/0, on/off, yes/no` };
  },
  string: (value) => {
    if (typeof value === 'string') return { ok: true, value };
    if (typeof value === 'number' || typeof value === 'boolean') return { ok: true, value: String(value) };
    return { ok: false, detail: `cannot make a string of ${describe(value)}` };
  },
};
