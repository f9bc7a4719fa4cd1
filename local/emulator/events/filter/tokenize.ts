// Lexer for ADT event-route filters. Positions are 0-based character offsets so errors can point at the problem.

export type Token =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'word'; value: string; pos: number }
  | { kind: 'op'; value: ComparisonOp; pos: number }
  | { kind: 'lparen' | 'rparen' | 'comma' | 'end'; pos: number };

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export class FilterSyntaxError extends Error {
  constructor(
    readonly position: number,
    problem: string,
  ) {
    super(`${problem} at position ${position}`);
    this.name = 'FilterSyntaxError';
  }
}

const wordStart = /[A-Za-z_$]/;
const wordPart = /[A-Za-z0-9_$.]/;
const digit = /[0-9]/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(') {
      tokens.push({ kind: 'lparen', pos: i++ });
    } else if (ch === ')') {
      tokens.push({ kind: 'rparen', pos: i++ });
    } else if (ch === ',') {
      tokens.push({ kind: 'comma', pos: i++ });
    } else if (ch === "'" || ch === '"') {
      i = readString(text, i, tokens);
    } else if (digit.test(ch) || (ch === '-' && digit.test(text.charAt(i + 1)))) {
      i = readNumber(text, i, tokens);
    } else if (wordStart.test(ch)) {
      const start = i;
      while (i < text.length && wordPart.test(text.charAt(i))) i++;
      tokens.push({ kind: 'word', value: text.slice(start, i), pos: start });
    } else {
      i = readOperator(text, i, tokens);
    }
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

function readString(text: string, start: number, tokens: Token[]): number {
  const quote = text.charAt(start);
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '\\' && i + 1 < text.length) {
      // A backslash escapes the next character, as in the ADT query language.
      value += text.charAt(i + 1);
      i += 2;
    } else if (ch === quote) {
      tokens.push({ kind: 'string', value, pos: start });
      return i + 1;
    } else {
      value += ch;
      i++;
    }
  }
  throw new FilterSyntaxError(start, 'unterminated string literal (close it with a matching quote)');
}

function readNumber(text: string, start: number, tokens: Token[]): number {
  const match = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(start));
  const literal = match?.[0] ?? '';
  tokens.push({ kind: 'number', value: Number(literal), pos: start });
  return start + literal.length;
}

function readOperator(text: string, start: number, tokens: Token[]): number {
  const two = text.slice(start, start + 2);
  if (two === '!=' || two === '<=' || two === '>=' || two === '<>') {
    tokens.push({ kind: 'op', value: two === '<>' ? '!=' : two, pos: start });
    return start + 2;
  }
  const one = text.charAt(start);
  if (one === '=' || one === '<' || one === '>') {
    tokens.push({ kind: 'op', value: one, pos: start });
    return start + 1;
  }
  throw new FilterSyntaxError(start, `unexpected character '${one}'`);
}
