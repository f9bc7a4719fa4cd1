// A read position over the token list, with ANTLR-style "missing"/"mismatched" errors.
import { errors } from '../errors';
import type { SourcePosition } from './ast';
import { syntaxError, type Token } from './lexer';

/** Words that cannot be aliases or bare property names (escape them as [[name]]). */
export const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'IN',
  'NIN',
  'TOP',
  'COUNT',
  'AS',
  'JOIN',
  'RELATED',
  'DIGITALTWINS',
  'RELATIONSHIPS',
  'TRUE',
  'FALSE',
  'NULL',
  'MATCH',
  'ORDER',
  'GROUP',
  'BY',
  'HAVING',
  'DISTINCT',
  'LIMIT',
  'OFFSET',
  'UNION',
  'LEFT',
  'RIGHT',
  'INNER',
  'OUTER',
  'CROSS',
  'FULL',
  'ON',
  'LIKE',
  'BETWEEN',
  'EXISTS',
  'IS',
]);

/** Features ADT (or SQL users) may try that this emulator deliberately does not implement. */
const UNSUPPORTED_AT_CLAUSE: Record<string, string> = {
  ORDER: 'ORDER BY',
  GROUP: 'GROUP BY',
  HAVING: 'HAVING',
  LIMIT: 'LIMIT',
  OFFSET: 'OFFSET',
  UNION: 'UNION',
  LEFT: 'LEFT/OUTER JOIN',
  RIGHT: 'RIGHT/OUTER JOIN',
  OUTER: 'OUTER JOIN',
  FULL: 'OUTER JOIN',
  INNER: 'INNER JOIN (use plain JOIN ... RELATED)',
  CROSS: 'CROSS JOIN',
  DISTINCT: 'SELECT DISTINCT',
  LIKE: 'LIKE (use STARTSWITH/ENDSWITH/CONTAINS)',
  BETWEEN: 'BETWEEN (use >= AND <=)',
  EXISTS: 'EXISTS',
  IS: 'IS [NOT] NULL (use IS_NULL/IS_DEFINED)',
  ON: 'JOIN ... ON (use JOIN ... RELATED)',
};

export class TokenCursor {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(ahead = 0): Token {
    const token = this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)];
    if (!token) throw new Error('token list is empty');
    return token;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index += 1;
    return token;
  }

  isKeyword(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'word' && token.text.toUpperCase() === word;
  }

  isPunct(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'punct' && token.text === text;
  }

  acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.next();
    return true;
  }

  acceptPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.next();
    return true;
  }

  expectKeyword(word: string): Token {
    this.rejectUnsupported();
    if (!this.isKeyword(word)) throw this.error(`missing ${word} at '${this.peek().text}'`);
    return this.next();
  }

  expectPunct(text: string): Token {
    if (!this.isPunct(text)) throw this.error(`mismatched input '${this.peek().text}' expecting '${text}'`);
    return this.next();
  }

  /** A name usable as an alias or property: a non-reserved word or a `[[escaped]]` name. */
  isName(ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.kind === 'escaped' || (token.kind === 'word' && !RESERVED.has(token.text.toUpperCase()));
  }

  expectName(what: string): Token {
    this.rejectUnsupported();
    if (!this.isName()) throw this.error(`mismatched input '${this.peek().text}' expecting ${what}`);
    return this.next();
  }

  /** After a dot any word is a property name, reserved or not (`T.from` is fine). */
  expectPropertyName(): Token {
    const token = this.peek();
    if (token.kind !== 'word' && token.kind !== 'escaped') {
      throw this.error(`mismatched input '${token.text}' expecting a property name`);
    }
    return this.next();
  }

  /** Throws queryUnsupported when the current word starts a clause outside the subset. */
  rejectUnsupported(): void {
    const token = this.peek();
    if (token.kind !== 'word') return;
    const feature = UNSUPPORTED_AT_CLAUSE[token.text.toUpperCase()];
    if (feature) throw errors.queryUnsupported(feature);
  }

  error(message: string, at: SourcePosition = this.peek().at): Error {
    const token = this.peek();
    if (token.kind === 'invalid') return syntaxError(token.at, `token recognition error at: '${token.text}'`);
    return syntaxError(at, message);
  }
}
