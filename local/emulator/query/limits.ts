// ADT's documented query limits (reference-service-limits): enforced so tests fail here as they would in Azure.
import { errors } from '../errors';
import { childExpressions, type Expr, type QueryAst } from './ast';

export const QUERY_LIMITS = {
  maxCharacters: 8000,
  maxAndOr: 50,
  maxInItems: 50,
  maxJoins: 5,
  /** "The maximum hops supported in a query is 10" (reference-query-clause-match, Limitations). */
  maxMatchHops: 10,
  defaultPageSize: 100,
  maxPageSize: 1000,
} as const;

export function checkTextLimit(text: string): void {
  if (text.length > QUERY_LIMITS.maxCharacters) {
    throw errors.queryLimitExceeded('characters', QUERY_LIMITS.maxCharacters, text.length);
  }
}

export function checkAstLimits(ast: QueryAst): void {
  if (ast.joins.length > QUERY_LIMITS.maxJoins) {
    throw errors.queryLimitExceeded('JOINs', QUERY_LIMITS.maxJoins, ast.joins.length);
  }
  // The longest path the pattern allows: the sum of every condition's upper hop limit.
  const hops = ast.match?.edges.reduce((sum, edge) => sum + edge.maxHops, 0) ?? 0;
  if (hops > QUERY_LIMITS.maxMatchHops) throw errors.queryLimitExceeded('hops in MATCH', QUERY_LIMITS.maxMatchHops, hops);
  if (!ast.where) return;
  const andOr = countAndOr(ast.where);
  if (andOr > QUERY_LIMITS.maxAndOr) throw errors.queryLimitExceeded('AND/OR operators', QUERY_LIMITS.maxAndOr, andOr);
  const largestIn = largestInList(ast.where);
  if (largestIn > QUERY_LIMITS.maxInItems) throw errors.queryLimitExceeded('items in an IN/NIN list', QUERY_LIMITS.maxInItems, largestIn);
}

function countAndOr(expr: Expr): number {
  const own = expr.kind === 'and' || expr.kind === 'or' ? 1 : 0;
  return childExpressions(expr).reduce((sum, child) => sum + countAndOr(child), own);
}

function largestInList(expr: Expr): number {
  const own = expr.kind === 'in' ? expr.items.length : 0;
  return childExpressions(expr).reduce((max, child) => Math.max(max, largestInList(child)), own);
}
