// Parses the MATCH pattern. Accepted forms (ADT's docs and samples):
//   (a)  (a)-[]->(b)  (a)<-[]-(b)  (a)-[]-(b)  ()-[]->(b)  a-[]->b
//   [:rel]  [:rel1|rel2]  [r]  [r:rel|rel2]  [*3]  [*..3]  [*1..3]  [:rel*1..3]  [rel1|rel2*..3]
// A lone name in brackets is a relationship variable ([Rel]); a name followed by `|` or `*` is a
// relationship name (ADT's own sample writes `<-[has|includes*..3]-` without the colon).
import type { SourcePosition } from './ast';
import type { TokenCursor } from './cursor';
import { ANONYMOUS_PREFIX, type MatchDirection, type MatchEdge, type MatchNode, type MatchPattern } from './matchAst';

export function parseMatch(cursor: TokenCursor): MatchPattern {
  const at = cursor.next().at; // MATCH
  let anonymous = 0;
  const nodes: MatchNode[] = [parseNode(cursor, () => `${ANONYMOUS_PREFIX}${anonymous++})`)];
  const edges: MatchEdge[] = [];
  while (cursor.isPunct('-') || (cursor.isPunct('<') && cursor.isPunct('-', 1))) {
    edges.push(parseEdge(cursor));
    nodes.push(parseNode(cursor, () => `${ANONYMOUS_PREFIX}${anonymous++})`));
  }
  return { nodes, edges, at };
}

function parseNode(cursor: TokenCursor, anonymousName: () => string): MatchNode {
  const at = cursor.peek().at;
  if (cursor.isName()) return { alias: cursor.next().text, anonymous: false, at };
  cursor.expectPunct('(');
  if (cursor.acceptPunct(')')) return { alias: anonymousName(), anonymous: true, at };
  const alias = cursor.expectName('a twin name in ( )').text;
  cursor.expectPunct(')');
  return { alias, anonymous: false, at };
}

function parseEdge(cursor: TokenCursor): MatchEdge {
  const at = cursor.peek().at;
  const fromRight = cursor.acceptPunct('<');
  cursor.expectPunct('-');
  cursor.expectPunct('[');
  const condition = parseCondition(cursor, at);
  cursor.expectPunct(']');
  cursor.expectPunct('-');
  const toRight = cursor.acceptPunct('>');
  if (fromRight && toRight)
    throw cursor.error('a relationship condition has one direction: use <-[...]- or -[...]->, or chain two conditions for both', at);
  const direction: MatchDirection = toRight ? 'right' : fromRight ? 'left' : 'any';
  return { direction, ...condition, at };
}

function parseCondition(cursor: TokenCursor, at: SourcePosition): Omit<MatchEdge, 'direction' | 'at'> {
  let variable: string | undefined;
  const names: string[] = [];
  if (cursor.isName() && !cursor.isPunct('|', 1) && !cursor.isPunct('*', 1)) variable = cursor.next().text;
  if (cursor.acceptPunct(':') || (variable === undefined && cursor.isName())) {
    do {
      names.push(cursor.expectPropertyName().text);
    } while (cursor.acceptPunct('|'));
  }
  let minHops = 1;
  let maxHops = 1;
  if (cursor.acceptPunct('*')) {
    ({ minHops, maxHops } = parseHops(cursor, at));
  }
  return { names, variable, minHops, maxHops };
}

/** `*n` exactly n; `*..n` 1..n; `*m..n` more than m, at most n (ADT: "the starting limit isn't included"). */
function parseHops(cursor: TokenCursor, at: SourcePosition): { minHops: number; maxHops: number } {
  const whole = (what: string): number => {
    const token = cursor.peek();
    if (token.kind !== 'number' || !/^[0-9]+$/.test(token.text)) throw cursor.error(`mismatched input '${token.text}' expecting ${what}`);
    cursor.next();
    return Number(token.text);
  };
  if (cursor.acceptPunct('..')) return checkedHops(1, whole('the ending hop limit after ..'), cursor, at);
  const first = whole('a number of hops after *');
  if (!cursor.acceptPunct('..')) return checkedHops(first, first, cursor, at);
  return checkedHops(first + 1, whole('the ending hop limit after ..'), cursor, at);
}

function checkedHops(minHops: number, maxHops: number, cursor: TokenCursor, at: SourcePosition): { minHops: number; maxHops: number } {
  if (maxHops < 1) throw cursor.error('the number of hops must be at least 1', at);
  if (minHops > maxHops)
    throw cursor.error(`the hop range allows no length (the starting limit is excluded, so *${minHops - 1}..${maxHops} is empty)`, at);
  return { minHops, maxHops };
}
