// The parsed form of a query. Positions are kept so semantic errors can point at the offending text.
import type { MatchPattern } from './matchAst';
import type { SourcePosition } from './sourcePosition';

export type { SourcePosition } from './sourcePosition';

export type Literal = string | number | boolean | null;

export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type Expr =
  | { kind: 'literal'; value: Literal; at: SourcePosition }
  /** `a.b.c`; the first segment may be a collection alias (resolved at evaluation). */
  | { kind: 'path'; segments: string[]; at: SourcePosition }
  | { kind: 'call'; name: string; args: Expr[]; at: SourcePosition }
  | { kind: 'isOfModel'; alias: string | undefined; model: string; exact: boolean; at: SourcePosition }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr; at: SourcePosition }
  | { kind: 'in'; negated: boolean; operand: Expr; items: Literal[]; at: SourcePosition }
  | { kind: 'and' | 'or'; left: Expr; right: Expr; at: SourcePosition }
  | { kind: 'not'; operand: Expr; at: SourcePosition };

export interface Projection {
  /** First segment is an alias or (without JOIN) a property of the FROM collection. */
  path: string[];
  as: string | undefined;
  at: SourcePosition;
}

export type SelectClause = { kind: 'all' } | { kind: 'count' } | { kind: 'list'; items: Projection[] };

export type Collection = 'DIGITALTWINS' | 'RELATIONSHIPS';

export interface JoinClause {
  /** Alias the related twin gets (`JOIN CT ...`). */
  target: string;
  /** Twin alias whose outgoing relationships are followed (`RELATED T.contains`). */
  source: string;
  relationshipName: string;
  /** Optional alias for the relationship itself (`... T.contains R`). */
  relationshipAlias: string | undefined;
  at: SourcePosition;
}

export interface QueryAst {
  select: SelectClause;
  top: number | undefined;
  from: { collection: Collection; alias: string | undefined; at: SourcePosition };
  joins: JoinClause[];
  /** `FROM DIGITALTWINS MATCH (a)-[...]->(b)`; never together with JOIN. */
  match: MatchPattern | undefined;
  where: Expr | undefined;
}

/** Direct sub-expressions, for analyses that walk the whole tree. */
export function childExpressions(expr: Expr): Expr[] {
  switch (expr.kind) {
    case 'and':
    case 'or':
    case 'compare':
      return [expr.left, expr.right];
    case 'not':
    case 'in':
      return [expr.operand];
    case 'call':
      return expr.args;
    default:
      return [];
  }
}
