// Shapes a matching row into a result item: the document itself (SELECT *), or named columns.
import type { Projection, SelectClause } from './ast';
import { resolvePath, type Row } from './evaluate';
import { ANONYMOUS_PREFIX } from './matchAst';
import type { QueryPlan } from './plan';

export function projectRow(select: SelectClause, row: Row, plan: QueryPlan): unknown {
  if (select.kind === 'all' && plan.ast.match) return matchAll(row, plan);
  if (select.kind === 'all') return structuredClone(row[plan.rootAlias]);
  if (select.kind === 'count') throw new Error('COUNT() rows are built by the executor, not projected');
  const item: Record<string, unknown> = {};
  for (const projection of select.items) {
    const value = resolvePath(projection.path, row, plan);
    // ADT omits a projected property that is missing on this row rather than returning null.
    if (value !== undefined) item[outputName(projection)] = structuredClone(value);
  }
  return item;
}

/** `T` → "T", `T.a.b` → "b", `... AS x` → "x". */
export function outputName(projection: Projection): string {
  return projection.as ?? projection.path[projection.path.length - 1] ?? '';
}

/**
 * `SELECT * … MATCH`: ADT's samples use it, its output is not documented; the emulator returns every
 * named twin and relationship variable, as `SELECT a, r, b` would (anonymous `()` twins are left out).
 */
function matchAll(row: Row, plan: QueryPlan): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const alias of plan.bindings.keys()) {
    if (alias.startsWith(ANONYMOUS_PREFIX)) continue;
    const doc = row[alias];
    if (doc !== undefined) item[alias] = structuredClone(doc);
  }
  return item;
}
