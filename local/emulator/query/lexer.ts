// Splits query text into tokens, tracking line/column so errors read like ADT's ANTLR-based parser.
import { errors } from '../errors';
import type { SourcePosition } from './ast';

/** `invalid` holds text the lexer cannot read; the parser reports it only if it gets that far (so MATCH (a)-[:r]->(b) is named as unsupported first). */
export type TokenKind = 'word' | 'escaped' | 'string' | 'number' | 'punct' | 'invalid' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text for words/punctuation; the unescaped value for strings and `[[escaped]]` names. */
  text: string;
  at: SourcePosition;
}

// `..`, `:` and `|` belong to MATCH patterns: `-[r:rel1|rel2*1..3]->`.
const PUNCTUATION = ['<=', '>=', '!=', '<>', '..', '(', ')', '[', ']', ',', '.', '*', '=', '<', '>', '-', ':', '|'];
const WORD_START = /[A-Za-z_$]/;
const WORD_PART = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;

/** ADT's parser message format; shared by lexer and parser. */
export function syntaxError(at: SourcePosition, message: string): Error {
  return errors.sqlQueryError(`SQL Parser Error, Line=${at.line}, Position=${at.column}, Message=${message}`);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const here = (): SourcePosition => ({ line, column: i - lineStart });

  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '\n') {
      i += 1;
      line += 1;
      lineStart = i;
      continue;
    }
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const at = here();
    if (ch === "'" || ch === '"') {
      const read = readString(text, i);
      if (!read) {
        tokens.push({ kind: 'invalid', text: text.slice(i, i + 20), at });
        break;
      }
      tokens.push({ kind: 'string', text: read.value, at });
      i = read.end;
    } else if (text.startsWith('[[', i)) {
      const close = text.indexOf(']]', i + 2);
      if (close < 0) {
        tokens.push({ kind: 'invalid', text: text.slice(i, i + 20), at });
        break;
      }
      tokens.push({ kind: 'escaped', text: text.slice(i + 2, close), at });
      i = close + 2;
    } else if (DIGIT.test(ch) || (ch === '.' && DIGIT.test(text.charAt(i + 1)))) {
      // `1..3` is 1, `..`, 3 (a MATCH hop range), not the decimal `1.` followed by `.3`.
      const match = /^(?:[0-9]+(?:\.(?!\.)[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i));
      const raw = match?.[0] ?? ch;
      tokens.push({ kind: 'number', text: raw, at });
      i += raw.length;
    } else if (WORD_START.test(ch)) {
      let end = i + 1;
      while (end < text.length && WORD_PART.test(text.charAt(end))) end += 1;
      tokens.push({ kind: 'word', text: text.slice(i, end), at });
      i = end;
    } else {
      const punct = PUNCTUATION.find((p) => text.startsWith(p, i));
      tokens.push({ kind: punct ? 'punct' : 'invalid', text: punct ?? ch, at });
      i += punct?.length ?? 1;
    }
  }
  tokens.push({ kind: 'eof', text: '<EOF>', at: here() });
  return tokens;
}

/** Reads a quoted string starting at `start`; a backslash escapes the next character (`\'`). Unterminated → undefined. */
function readString(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text.charAt(start);
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '\\' && i + 1 < text.length) {
      value += text.charAt(i + 1);
      i += 2;
    } else if (ch === quote) {
      return { value, end: i + 1 };
    } else {
      value += ch;
      i += 1;
    }
  }
  return undefined;
}
