// Recursive descent for WHERE expressions: OR < AND < NOT < comparison/IN < primary.
import { errors } from '../errors';
import type { CompareOp, Expr, Literal, SourcePosition } from './ast';
import type { TokenCursor } from './cursor';
import { BUILT_INS } from './functions';

const COMPARE_OPS = new Set(['=', '!=', '<>', '<', '>', '<=', '>=']);
/** Functions outside the subset that users commonly reach for; named in the error. */
const UNSUPPORTED_FUNCTIONS = new Set([
  'SUM',
  'AVG',
  'MIN',
  'MAX',
  'COUNT',
  'LOWER',
  'UPPER',
  'LENGTH',
  'SUBSTRING',
  'IS_ARRAY',
  'ABS',
  'ROUND',
]);

export function parseExpression(cursor: TokenCursor): Expr {
  return parseOr(cursor);
}

function parseOr(cursor: TokenCursor): Expr {
  let left = parseAnd(cursor);
  while (cursor.isKeyword('OR')) {
    const at = cursor.next().at;
    left = { kind: 'or', left, right: parseAnd(cursor), at };
  }
  return left;
}

function parseAnd(cursor: TokenCursor): Expr {
  let left = parseNot(cursor);
  while (cursor.isKeyword('AND')) {
    const at = cursor.next().at;
    left = { kind: 'and', left, right: parseNot(cursor), at };
  }
  return left;
}

function parseNot(cursor: TokenCursor): Expr {
  if (cursor.isKeyword('NOT')) {
    const at = cursor.next().at;
    return { kind: 'not', operand: parseNot(cursor), at };
  }
  return parsePredicate(cursor);
}

function parsePredicate(cursor: TokenCursor): Expr {
  const left = parsePrimary(cursor);
  const token = cursor.peek();
  if (token.kind === 'punct' && COMPARE_OPS.has(token.text)) {
    cursor.next();
    const op: CompareOp = token.text === '<>' ? '!=' : (token.text as CompareOp);
    return { kind: 'compare', op, left, right: parsePrimary(cursor), at: token.at };
  }
  if (cursor.isKeyword('IN') || cursor.isKeyword('NIN')) {
    const negated = cursor.next().text.toUpperCase() === 'NIN';
    return { kind: 'in', negated, operand: left, items: parseList(cursor), at: token.at };
  }
  if (cursor.isKeyword('NOT') && cursor.isKeyword('IN', 1)) {
    cursor.next();
    cursor.next();
    return { kind: 'in', negated: true, operand: left, items: parseList(cursor), at: token.at };
  }
  cursor.rejectUnsupported();
  return left;
}

function parseList(cursor: TokenCursor): Literal[] {
  cursor.expectPunct('[');
  const items: Literal[] = [];
  if (cursor.acceptPunct(']')) return items;
  do {
    items.push(parseLiteral(cursor));
  } while (cursor.acceptPunct(','));
  cursor.expectPunct(']');
  return items;
}

function parseLiteral(cursor: TokenCursor): Literal {
  const token = cursor.peek();
  if (token.kind === 'string') return cursor.next().text;
  if (token.kind === 'number') return Number(cursor.next().text);
  if (token.kind === 'punct' && token.text === '-' && cursor.peek(1).kind === 'number') {
    cursor.next();
    return -Number(cursor.next().text);
  }
  if (token.kind === 'word') {
    const upper = token.text.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE' || upper === 'NULL') {
      cursor.next();
      return upper === 'NULL' ? null : upper === 'TRUE';
    }
  }
  throw cursor.error(`mismatched input '${token.text}' expecting a string, number, true, false or null`);
}

function parsePrimary(cursor: TokenCursor): Expr {
  const token = cursor.peek();
  if (cursor.acceptPunct('(')) {
    const inner = parseOr(cursor);
    cursor.expectPunct(')');
    return inner;
  }
  if (token.kind === 'word' && cursor.isPunct('(', 1)) return parseCall(cursor);
  if (token.kind === 'string' || token.kind === 'number' || cursor.isPunct('-')) {
    return { kind: 'literal', value: parseLiteral(cursor), at: token.at };
  }
  if (token.kind === 'word' && ['TRUE', 'FALSE', 'NULL'].includes(token.text.toUpperCase())) {
    return { kind: 'literal', value: parseLiteral(cursor), at: token.at };
  }
  if (cursor.isName()) return parsePath(cursor);
  cursor.rejectUnsupported();
  const hint = token.kind === 'word' ? ` (a property named like a keyword must be escaped: [[${token.text}]])` : '';
  throw cursor.error(`no viable alternative at input '${token.text}'${hint}`);
}

export function parsePath(cursor: TokenCursor): Expr & { kind: 'path' } {
  const first = cursor.expectName('a property or collection name');
  const segments = [first.text];
  while (cursor.isPunct('.')) {
    cursor.next();
    segments.push(cursor.expectPropertyName().text);
  }
  if (cursor.isPunct('[')) throw errors.queryUnsupported('array indexing in property paths');
  return { kind: 'path', segments, at: first.at };
}

function parseCall(cursor: TokenCursor): Expr {
  const nameToken = cursor.next();
  const name = nameToken.text.toUpperCase();
  if (name === 'IS_OF_MODEL') return parseIsOfModel(cursor, nameToken.at);
  if (!Object.hasOwn(BUILT_INS, name)) {
    throw errors.queryUnsupported(UNSUPPORTED_FUNCTIONS.has(name) ? `the function ${name} in WHERE` : `the function ${nameToken.text}`);
  }
  cursor.expectPunct('(');
  const args: Expr[] = [];
  if (!cursor.isPunct(')')) {
    do {
      args.push(parseOr(cursor));
    } while (cursor.acceptPunct(','));
  }
  cursor.expectPunct(')');
  return { kind: 'call', name, args, at: nameToken.at };
}

/** IS_OF_MODEL([alias,] 'dtmi'[, exact]): the alias and the `exact` flag are bare words, not values. */
function parseIsOfModel(cursor: TokenCursor, at: SourcePosition): Expr {
  cursor.expectPunct('(');
  let alias: string | undefined;
  if (cursor.isName() && cursor.isPunct(',', 1)) {
    alias = cursor.next().text;
    cursor.next();
  }
  const model = cursor.peek();
  if (model.kind !== 'string') {
    throw cursor.error(`mismatched input '${model.text}' expecting a model id string in IS_OF_MODEL`);
  }
  cursor.next();
  let exact = false;
  if (cursor.acceptPunct(',')) {
    if (!cursor.isKeyword('EXACT')) throw cursor.error(`mismatched input '${cursor.peek().text}' expecting 'exact'`);
    cursor.next();
    exact = true;
  }
  cursor.expectPunct(')');
  return { kind: 'isOfModel', alias, model: model.text, exact, at };
}
