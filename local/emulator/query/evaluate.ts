// Evaluates WHERE expressions against one row (alias → document). Only `true` keeps a row.
import type { RelationshipDoc, TwinDoc } from '../types';
import type { Expr } from './ast';
import { BUILT_INS } from './functions';
import type { QueryPlan } from './plan';
import type { QuerySource } from './source';
import { compare, isPlainObject, sameValue } from './values';

export type Row = Readonly<Record<string, TwinDoc | RelationshipDoc>>;

export interface EvaluationContext {
  plan: QueryPlan;
  source: QuerySource;
}

/** Resolves `alias.a.b` or (single-collection queries) `a.b` on the FROM document. */
export function resolvePath(segments: readonly string[], row: Row, plan: QueryPlan): unknown {
  const [first, ...rest] = segments;
  if (first !== undefined && plan.bindings.has(first)) return walk(row[first], rest);
  return walk(row[plan.rootAlias], segments);
}

function walk(start: unknown, segments: readonly string[]): unknown {
  let current = start;
  for (const segment of segments) {
    if (!isPlainObject(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

export function evaluate(expr: Expr, row: Row, ctx: EvaluationContext): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'path':
      return resolvePath(expr.segments, row, ctx.plan);
    case 'compare':
      return compare(expr.op, evaluate(expr.left, row, ctx), evaluate(expr.right, row, ctx));
    case 'in': {
      const value = evaluate(expr.operand, row, ctx);
      if (value === undefined) return false;
      const found = expr.items.some((item) => sameValue(value, item));
      return expr.negated ? !found : found;
    }
    case 'and':
      return evaluate(expr.left, row, ctx) === true && evaluate(expr.right, row, ctx) === true;
    case 'or':
      return evaluate(expr.left, row, ctx) === true || evaluate(expr.right, row, ctx) === true;
    case 'not':
      return evaluate(expr.operand, row, ctx) !== true;
    case 'call': {
      const fn = BUILT_INS[expr.name];
      return fn ? fn(expr.args.map((arg) => evaluate(arg, row, ctx))) : false;
    }
    case 'isOfModel': {
      const twin = row[expr.alias ?? ctx.plan.rootAlias];
      const model = twin?.['$metadata'];
      if (!isPlainObject(model) || typeof model['$model'] !== 'string') return false;
      return ctx.source.isOfModel(model['$model'], expr.model, expr.exact);
    }
  }
}
