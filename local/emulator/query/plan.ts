// Semantic checks ADT makes after parsing (aliases, JOIN rules, function arity) and the resolved plan.
import { errors } from '../errors';
import { childExpressions, type Expr, type Literal, type Projection, type QueryAst, type SourcePosition } from './ast';
import { checkAstLimits } from './limits';
import type { MatchPattern } from './matchAst';

export type BindingKind = 'twin' | 'relationship';

/** Key under which the FROM document is bound when the query gives it no alias. */
export const IMPLICIT_ALIAS = '';

export interface QueryPlan {
  ast: QueryAst;
  rootAlias: string;
  bindings: ReadonlyMap<string, BindingKind>;
  /** Set when the WHERE clause pins the FROM twins to known ids: they are fetched instead of scanned. */
  seedIds: string[] | undefined;
  /** MATCH only: the pattern node the traversal starts from (the first one pinned by $dtId) and its ids. */
  matchAnchor: { index: number; ids: string[] } | undefined;
}

const ARITY: Record<string, number> = {
  IS_DEFINED: 1,
  IS_NULL: 1,
  IS_BOOL: 1,
  IS_NUMBER: 1,
  IS_STRING: 1,
  IS_OBJECT: 1,
  IS_PRIMITIVE: 1,
  STARTSWITH: 2,
  STARTS_WITH: 2,
  ENDSWITH: 2,
  ENDS_WITH: 2,
  CONTAINS: 2,
  ARRAY_CONTAINS: 2,
};

function semanticError(at: SourcePosition, message: string): Error {
  return errors.sqlQueryError(`Semantic Error, Line=${at.line}, Position=${at.column}, Message=${message}`);
}

export function planQuery(ast: QueryAst): QueryPlan {
  checkAstLimits(ast);
  if (ast.match) return planMatch(ast, ast.match);
  const rootAlias = ast.from.alias ?? IMPLICIT_ALIAS;
  const bindings = new Map<string, BindingKind>([[rootAlias, ast.from.collection === 'DIGITALTWINS' ? 'twin' : 'relationship']]);
  const hasJoin = ast.joins.length > 0;

  if (hasJoin && ast.from.collection === 'RELATIONSHIPS') throw errors.queryUnsupported('JOIN on FROM RELATIONSHIPS');
  if (hasJoin && ast.from.alias === undefined) {
    throw semanticError(ast.from.at, 'a JOIN needs an alias on the FROM collection, e.g. FROM DIGITALTWINS T JOIN CT RELATED T.contains');
  }
  for (const join of ast.joins) {
    if (bindings.get(join.source) !== 'twin') {
      throw semanticError(
        join.at,
        `'${join.source}' in RELATED ${join.source}.${join.relationshipName} is not a twin collection defined earlier in the query`,
      );
    }
    for (const alias of [join.target, join.relationshipAlias]) {
      if (alias === undefined) continue;
      if (bindings.has(alias)) throw semanticError(join.at, `the alias '${alias}' is used more than once`);
      bindings.set(alias, alias === join.target ? 'twin' : 'relationship');
    }
  }
  if (hasJoin && ast.select.kind === 'all') {
    throw semanticError(ast.from.at, 'SELECT * is not valid with JOIN; project the collections you need instead, e.g. SELECT T, CT');
  }
  if (ast.select.kind === 'list') checkProjections(ast.select.items, bindings, hasJoin);
  if (ast.where) checkExpression(ast.where, bindings, hasJoin);

  const dtIdFilters = ast.where ? conjunctiveDtIdFilters(ast.where, bindings, rootAlias, hasJoin) : new Map<string, string[]>();
  if (hasJoin && dtIdFilters.size === 0) {
    throw semanticError(
      ast.from.at,
      "a query with JOIN must filter at least one twin by $dtId in WHERE (ANDed at the top level), e.g. WHERE T.$dtId = 'building-1'",
    );
  }
  const seedIds = bindings.get(rootAlias) === 'twin' ? dtIdFilters.get(rootAlias) : undefined;
  return { ast, rootAlias, bindings, seedIds, matchAnchor: undefined };
}

/** MATCH: the pattern's twins and relationship variables are the collections; one of them must be pinned. */
function planMatch(ast: QueryAst, match: MatchPattern): QueryPlan {
  if (ast.from.collection !== 'DIGITALTWINS') throw semanticError(ast.from.at, 'MATCH works on FROM DIGITALTWINS only');
  if (ast.from.alias !== undefined) {
    throw semanticError(ast.from.at, `MATCH names its twins in the pattern; drop the alias '${ast.from.alias}' after DIGITALTWINS`);
  }
  const bindings = new Map<string, BindingKind>();
  const bind = (alias: string, kind: BindingKind, at: SourcePosition): void => {
    if (bindings.has(alias)) throw semanticError(at, `the name '${alias}' is used more than once in MATCH`);
    bindings.set(alias, kind);
  };
  match.nodes.forEach((node) => bind(node.alias, 'twin', node.at));
  for (const edge of match.edges) {
    if (edge.variable === undefined) continue;
    if (edge.maxHops > 1) {
      throw semanticError(
        edge.at,
        `the relationship variable '${edge.variable}' needs a single hop; ADT allows either a variable or a number of hops on one condition`,
      );
    }
    bind(edge.variable, 'relationship', edge.at);
  }
  if (ast.select.kind === 'list') checkProjections(ast.select.items, bindings, true);
  if (ast.where) checkExpression(ast.where, bindings, true);
  const rootAlias = match.nodes[0]?.alias ?? IMPLICIT_ALIAS;
  const pinned = ast.where ? conjunctiveDtIdFilters(ast.where, bindings, rootAlias, true) : new Map<string, string[]>();
  const index = match.nodes.findIndex((node) => pinned.has(node.alias));
  const named = match.nodes.find((node) => !node.anonymous)?.alias ?? 'a';
  if (index < 0) {
    throw semanticError(
      match.at,
      `a query with MATCH must filter at least one of its twins by $dtId in WHERE (ANDed at the top level), e.g. WHERE ${named}.$dtId = 'building-1'`,
    );
  }
  const ids = pinned.get(match.nodes[index]?.alias ?? '') ?? [];
  return { ast, rootAlias, bindings, seedIds: undefined, matchAnchor: { index, ids } };
}

function checkProjections(items: Projection[], bindings: ReadonlyMap<string, BindingKind>, hasJoin: boolean): void {
  const names = new Set<string>();
  for (const item of items) {
    const [first] = item.path;
    if (hasJoin && !bindings.has(first ?? '')) {
      throw semanticError(item.at, `'${item.path.join('.')}' must start with one of the collection aliases (${aliasList(bindings)})`);
    }
    const name = item.as ?? item.path[item.path.length - 1] ?? '';
    if (names.has(name)) throw semanticError(item.at, `the output name '${name}' appears twice; rename one with AS`);
    names.add(name);
  }
}

function checkExpression(expr: Expr, bindings: ReadonlyMap<string, BindingKind>, hasJoin: boolean): void {
  if (expr.kind === 'path' && hasJoin && !bindings.has(expr.segments[0] ?? '')) {
    throw semanticError(expr.at, `'${expr.segments.join('.')}' must start with one of the collection aliases (${aliasList(bindings)})`);
  }
  if (expr.kind === 'call' && ARITY[expr.name] !== expr.args.length) {
    throw semanticError(expr.at, `${expr.name} takes ${ARITY[expr.name] ?? 0} argument(s) but was given ${expr.args.length}`);
  }
  if (expr.kind === 'isOfModel' && expr.alias !== undefined && bindings.get(expr.alias) !== 'twin') {
    throw semanticError(expr.at, `IS_OF_MODEL needs a twin collection alias, and '${expr.alias}' is not one`);
  }
  for (const child of childExpressions(expr)) checkExpression(child, bindings, hasJoin);
}

function aliasList(bindings: ReadonlyMap<string, BindingKind>): string {
  return [...bindings.keys()].filter((alias) => alias !== IMPLICIT_ALIAS).join(', ');
}

/**
 * `$dtId = 'x'` / `$dtId IN [...]` predicates reachable through AND only, per twin alias.
 * Under OR or NOT a predicate does not restrict the result, so it does not count (ADT's JOIN rule).
 */
function conjunctiveDtIdFilters(
  expr: Expr,
  bindings: ReadonlyMap<string, BindingKind>,
  rootAlias: string,
  hasJoin: boolean,
): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (node: Expr): void => {
    if (node.kind === 'and') {
      visit(node.left);
      visit(node.right);
      return;
    }
    const pinned = dtIdPredicate(node, bindings, rootAlias, hasJoin);
    if (!pinned) return;
    const previous = found.get(pinned.alias);
    // Two filters on the same alias intersect.
    found.set(pinned.alias, previous ? previous.filter((id) => pinned.ids.includes(id)) : pinned.ids);
  };
  visit(expr);
  return found;
}

function dtIdPredicate(
  node: Expr,
  bindings: ReadonlyMap<string, BindingKind>,
  rootAlias: string,
  hasJoin: boolean,
): { alias: string; ids: string[] } | undefined {
  let path: Expr;
  let values: Literal[];
  if (node.kind === 'compare' && node.op === '=') {
    const pathSide = node.left.kind === 'path' ? node.left : node.right;
    const valueSide = pathSide === node.left ? node.right : node.left;
    if (valueSide.kind !== 'literal') return undefined;
    path = pathSide;
    values = [valueSide.value];
  } else if (node.kind === 'in' && !node.negated) {
    path = node.operand;
    values = node.items;
  } else {
    return undefined;
  }
  if (path.kind !== 'path') return undefined;
  const alias = resolveDtIdAlias(path.segments, bindings, rootAlias, hasJoin);
  if (alias === undefined) return undefined;
  return { alias, ids: [...new Set(values.filter((v): v is string => typeof v === 'string'))] };
}

function resolveDtIdAlias(
  segments: string[],
  bindings: ReadonlyMap<string, BindingKind>,
  rootAlias: string,
  hasJoin: boolean,
): string | undefined {
  if (segments.length === 2 && segments[1] === '$dtId' && bindings.get(segments[0] ?? '') === 'twin') return segments[0];
  if (!hasJoin && segments.length === 1 && segments[0] === '$dtId' && bindings.get(rootAlias) === 'twin') return rootAlias;
  return undefined;
}
