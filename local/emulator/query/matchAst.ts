// The parsed form of `MATCH (a)-[r:rel1|rel2*m..n]->(b)<-[…]-(c)`: twins in a chain, joined by
// relationship conditions (ADT's reference-query-clause-match).
import type { SourcePosition } from './sourcePosition';

/** Left-to-right `-[]->`, right-to-left `<-[]-`, either `-[]-`. */
export type MatchDirection = 'right' | 'left' | 'any';

export interface MatchNode {
  /** Alias the twin is bound to; anonymous `()` nodes get a generated name that cannot be referenced. */
  alias: string;
  anonymous: boolean;
  at: SourcePosition;
}

export interface MatchEdge {
  direction: MatchDirection;
  /** Empty = any relationship name. */
  names: string[];
  /** Bound to the relationship document; only with a single hop. */
  variable: string | undefined;
  /** Hops allowed: minHops..maxHops inclusive (ADT's `*m..n` excludes m, so it is stored as m+1..n). */
  minHops: number;
  maxHops: number;
  at: SourcePosition;
}

export interface MatchPattern {
  /** nodes.length === edges.length + 1; edges[i] joins nodes[i] and nodes[i+1]. */
  nodes: MatchNode[];
  edges: MatchEdge[];
  at: SourcePosition;
}

/** Contains a space, so no query text can name it. */
export const ANONYMOUS_PREFIX = '(anonymous ';
