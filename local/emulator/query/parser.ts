// Statement grammar: SELECT [TOP(n)] (* | COUNT() | projections) FROM collection [alias] (MATCH pattern | JOIN*) [WHERE expr].
import { errors } from '../errors';
import type { Collection, JoinClause, Projection, QueryAst, SelectClause } from './ast';
import { TokenCursor } from './cursor';
import { parseExpression, parsePath } from './expressionParser';
import { tokenize } from './lexer';
import { parseMatch } from './matchParser';

export function parseQuery(text: string): QueryAst {
  const cursor = new TokenCursor(tokenize(text));
  cursor.expectKeyword('SELECT');
  const top = parseTop(cursor);
  const select = parseSelect(cursor, top !== undefined);
  cursor.expectKeyword('FROM');
  const from = parseFrom(cursor);
  const joins: JoinClause[] = [];
  cursor.rejectUnsupported();
  const match = cursor.isKeyword('MATCH') ? parseMatch(cursor) : undefined;
  cursor.rejectUnsupported();
  while (cursor.isKeyword('JOIN')) {
    if (match) throw cursor.error('MATCH and JOIN cannot be combined; MATCH can express every JOIN (chain the relationship conditions)');
    joins.push(parseJoin(cursor));
    cursor.rejectUnsupported();
  }
  if (cursor.isKeyword('MATCH'))
    throw cursor.error(
      match
        ? 'only one MATCH is allowed per query; chain the conditions in one pattern'
        : 'MATCH must come right after FROM DIGITALTWINS, before any JOIN',
    );
  const where = cursor.acceptKeyword('WHERE') ? parseExpression(cursor) : undefined;
  cursor.rejectUnsupported();
  const rest = cursor.peek();
  if (rest.kind !== 'eof') throw cursor.error(`extraneous input '${rest.text}' expecting <EOF>`);
  return { select, top, from, joins, match, where };
}

function parseTop(cursor: TokenCursor): number | undefined {
  if (!cursor.acceptKeyword('TOP')) return undefined;
  const parenthesised = cursor.acceptPunct('(');
  const token = cursor.peek();
  if (token.kind !== 'number' || !/^[0-9]+$/.test(token.text)) {
    throw cursor.error(`mismatched input '${token.text}' expecting a whole number in TOP`);
  }
  cursor.next();
  if (parenthesised) cursor.expectPunct(')');
  return Number(token.text);
}

function parseSelect(cursor: TokenCursor, afterTop: boolean): SelectClause {
  cursor.rejectUnsupported();
  // `value` is a common property name, so it is only SELECT VALUE when something follows it.
  if (
    cursor.isKeyword('VALUE') &&
    !cursor.isKeyword('FROM', 1) &&
    !cursor.isKeyword('AS', 1) &&
    !cursor.isPunct(',', 1) &&
    !cursor.isPunct('.', 1)
  ) {
    throw errors.queryUnsupported('SELECT VALUE');
  }
  if (cursor.acceptPunct('*')) return { kind: 'all' };
  // ADT accepts `SELECT TOP(5) FROM ...` as shorthand for `SELECT TOP(5) * FROM ...`.
  if (afterTop && cursor.isKeyword('FROM')) return { kind: 'all' };
  if (cursor.isKeyword('COUNT')) {
    cursor.next();
    cursor.expectPunct('(');
    cursor.expectPunct(')');
    if (cursor.isPunct(',')) throw errors.queryUnsupported('COUNT() combined with other projections');
    return { kind: 'count' };
  }
  const items: Projection[] = [];
  do {
    items.push(parseProjection(cursor));
  } while (cursor.acceptPunct(','));
  return { kind: 'list', items };
}

function parseProjection(cursor: TokenCursor): Projection {
  const token = cursor.peek();
  if (token.kind === 'word' && cursor.isPunct('(', 1)) {
    const name = token.text.toUpperCase();
    const aggregate = ['SUM', 'AVG', 'MIN', 'MAX'].includes(name);
    throw errors.queryUnsupported(
      aggregate ? `the aggregate function ${name} (only COUNT() is supported)` : `the function ${token.text} in SELECT`,
    );
  }
  const path = parsePath(cursor);
  const as = cursor.acceptKeyword('AS') ? cursor.expectName('an output name after AS').text : undefined;
  return { path: path.segments, as, at: path.at };
}

function parseFrom(cursor: TokenCursor): QueryAst['from'] {
  const token = cursor.peek();
  const upper = token.text.toUpperCase();
  if (token.kind !== 'word' || (upper !== 'DIGITALTWINS' && upper !== 'RELATIONSHIPS')) {
    cursor.rejectUnsupported();
    throw cursor.error(`mismatched input '${token.text}' expecting {DIGITALTWINS, RELATIONSHIPS}`);
  }
  cursor.next();
  return { collection: upper as Collection, alias: parseOptionalAlias(cursor), at: token.at };
}

function parseOptionalAlias(cursor: TokenCursor): string | undefined {
  if (cursor.acceptKeyword('AS')) return cursor.expectName('an alias').text;
  cursor.rejectUnsupported();
  return cursor.isName() ? cursor.next().text : undefined;
}

function parseJoin(cursor: TokenCursor): JoinClause {
  const at = cursor.next().at;
  const target = cursor.expectName('an alias for the joined twins').text;
  cursor.expectKeyword('RELATED');
  const source = cursor.expectName('a twin alias').text;
  cursor.expectPunct('.');
  const relationshipName = cursor.expectPropertyName().text;
  return { target, source, relationshipName, relationshipAlias: parseOptionalAlias(cursor), at };
}
