// Recursive-descent parser for route filters: OR binds looser than AND, parentheses group, keywords are
// case-insensitive, attribute names and values are not (ADT: "Filters are case-sensitive").
import { type Condition, type FilterAttribute, filterAttributes, type Operand, type StringFunction } from './ast';
import { isLegacyEventTypeName, legacyEventTypeNames } from './legacyEventTypes';
import { FilterSyntaxError, type Token, tokenize } from './tokenize';

const functionNames: Record<string, StringFunction> = {
  STARTS_WITH: 'STARTS_WITH',
  STARTSWITH: 'STARTS_WITH',
  ENDS_WITH: 'ENDS_WITH',
  ENDSWITH: 'ENDS_WITH',
  CONTAINS: 'CONTAINS',
};

const attributeList = `${filterAttributes.join(', ')} or $body.<path>`;

export function parseFilter(text: string): Condition {
  if (text.trim() === '') throw new FilterSyntaxError(0, "the filter is empty (use 'true' to route every event)");
  return new Parser(tokenize(text)).parseAll();
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  parseAll(): Condition {
    const condition = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end')
      throw new FilterSyntaxError(next.pos, `unexpected ${describe(next)}; expected AND, OR or the end of the filter`);
    return condition;
  }

  private parseOr(): Condition {
    const items = [this.parseAnd()];
    while (this.isKeyword('OR')) {
      this.index++;
      items.push(this.parseAnd());
    }
    return items.length === 1 && items[0] ? items[0] : { kind: 'or', items };
  }

  private parseAnd(): Condition {
    const items = [this.parseCondition()];
    while (this.isKeyword('AND')) {
      this.index++;
      items.push(this.parseCondition());
    }
    return items.length === 1 && items[0] ? items[0] : { kind: 'and', items };
  }

  private parseCondition(): Condition {
    const token = this.peek();
    if (token.kind === 'lparen') {
      this.index++;
      const inner = this.parseOr();
      this.expect('rparen', "a closing ')'");
      return inner;
    }
    if (token.kind === 'word') {
      const fn = functionNames[token.value.toUpperCase()];
      if (fn && this.tokens[this.index + 1]?.kind === 'lparen') return this.parseCall(fn);
    }
    const left = this.parseOperand();
    const op = this.peek();
    if (op.kind !== 'op') {
      if (left.kind === 'literal' && typeof left.value === 'boolean') return { kind: 'constant', value: left.value };
      throw new FilterSyntaxError(op.pos, `expected a comparison operator (= != < <= > >=) but found ${describe(op)}`);
    }
    this.index++;
    const right = this.parseOperand();
    checkLegacyComparison(left, right, op.pos);
    return { kind: 'compare', op: op.value, left, right };
  }

  private parseCall(fn: StringFunction): Condition {
    this.index += 2; // name and '('
    const subject = this.parseOperand();
    this.expect('comma', `a ',' between the two arguments of ${fn}`);
    const argument = this.parseOperand();
    this.expect('rparen', `a closing ')' after the arguments of ${fn}`);
    return { kind: 'call', fn, subject, argument };
  }

  private parseOperand(): Operand {
    const token = this.peek();
    this.index++;
    switch (token.kind) {
      case 'string':
      case 'number':
        return { kind: 'literal', value: token.value };
      case 'word':
        return wordOperand(token.value, token.pos);
      default:
        throw new FilterSyntaxError(token.pos, `expected an attribute (${attributeList}) or a value but found ${describe(token)}`);
    }
  }

  private expect(kind: Token['kind'], what: string): void {
    const token = this.peek();
    if (token.kind !== kind) throw new FilterSyntaxError(token.pos, `expected ${what} but found ${describe(token)}`);
    this.index++;
  }

  private isKeyword(keyword: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.value.toUpperCase() === keyword;
  }

  private peek(): Token {
    // The lexer always ends the list with an 'end' token, so the last element is a safe fallback.
    return this.tokens[this.index] ?? (this.tokens[this.tokens.length - 1] as Token);
  }
}

function wordOperand(word: string, pos: number): Operand {
  const lower = word.toLowerCase();
  if (lower === 'true' || lower === 'false') return { kind: 'literal', value: lower === 'true' };
  if (lower === 'null') return { kind: 'literal', value: null };
  if (word === '$eventType') return { kind: 'legacyEventType' };
  if (word.startsWith('$body.')) {
    const path = word.slice('$body.'.length).split('.');
    if (path.some((segment) => segment === '')) throw new FilterSyntaxError(pos, `'${word}' has an empty path segment`);
    return { kind: 'body', path };
  }
  if ((filterAttributes as readonly string[]).includes(word)) return { kind: 'attribute', name: word as FilterAttribute };
  if (word === 'AND' || word === 'OR' || lower === 'and' || lower === 'or') {
    throw new FilterSyntaxError(pos, `'${word}' needs a condition on its left`);
  }
  throw new FilterSyntaxError(pos, `unknown attribute '${word}'; use ${attributeList} (names are case-sensitive)`);
}

/** `$eventType` only makes sense against the legacy category names; catch typos when the route is saved. */
function checkLegacyComparison(left: Operand, right: Operand, pos: number): void {
  const pairs: Array<[Operand, Operand]> = [
    [left, right],
    [right, left],
  ];
  for (const [a, b] of pairs) {
    if (a.kind === 'legacyEventType' && b.kind === 'literal' && !(typeof b.value === 'string' && isLegacyEventTypeName(b.value))) {
      throw new FilterSyntaxError(
        pos,
        `$eventType must be compared with one of ${legacyEventTypeNames.join(', ')}, not ${JSON.stringify(b.value)}`,
      );
    }
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the filter';
    case 'string':
      return `string '${token.value}'`;
    case 'number':
    case 'word':
    case 'op':
      return `'${token.value}'`;
    case 'lparen':
      return "'('";
    case 'rparen':
      return "')'";
    case 'comma':
      return "','";
  }
}
