// Turns a filter's syntax tree into a predicate once per route upsert, so emit() only runs closures.
import type { Notification } from '../../types';
import type { Condition, Operand } from './ast';
import { legacyEventTypeOf } from './legacyEventTypes';
import { parseFilter } from './parse';
import type { ComparisonOp } from './tokenize';

export type NotificationPredicate = (notification: Notification) => boolean;
type Getter = (notification: Notification) => unknown;

/** Parses and compiles; throws FilterSyntaxError with the position of the first problem. */
export function compileFilter(text: string): NotificationPredicate {
  return compileCondition(parseFilter(text));
}

function compileCondition(condition: Condition): NotificationPredicate {
  switch (condition.kind) {
    case 'constant':
      return () => condition.value;
    case 'or': {
      const items = condition.items.map(compileCondition);
      return (n) => items.some((item) => item(n));
    }
    case 'and': {
      const items = condition.items.map(compileCondition);
      return (n) => items.every((item) => item(n));
    }
    case 'compare': {
      const left = compileOperand(condition.left);
      const right = compileOperand(condition.right);
      const test = comparators[condition.op];
      return (n) => test(left(n), right(n));
    }
    case 'call': {
      const subject = compileOperand(condition.subject);
      const argument = compileOperand(condition.argument);
      const test = stringFunctions[condition.fn];
      return (n) => {
        const s = subject(n);
        const a = argument(n);
        return typeof s === 'string' && typeof a === 'string' && test(s, a);
      };
    }
  }
}

function compileOperand(operand: Operand): Getter {
  switch (operand.kind) {
    case 'literal':
      return () => operand.value;
    case 'attribute':
      return (n) => n[operand.name];
    case 'legacyEventType':
      return (n) => legacyEventTypeOf(n.type);
    case 'body':
      return (n) => walk(n.data, operand.path);
  }
}

/** Follows object keys only: ADT does not support filtering on array items. */
function walk(data: unknown, path: string[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A missing attribute equals null; objects never compare equal; ordering needs two numbers or two strings. */
function equals(a: unknown, b: unknown): boolean {
  const x = a === undefined ? null : a;
  const y = b === undefined ? null : b;
  if ((x !== null && typeof x === 'object') || (y !== null && typeof y === 'object')) return false;
  return x === y;
}

function ordered(a: unknown, b: unknown, test: (order: number) => boolean): boolean {
  if (typeof a === 'number' && typeof b === 'number') return test(a - b);
  if (typeof a === 'string' && typeof b === 'string') return test(a < b ? -1 : a > b ? 1 : 0);
  return false;
}

const comparators: Record<ComparisonOp, (a: unknown, b: unknown) => boolean> = {
  '=': equals,
  '!=': (a, b) => !equals(a, b),
  '<': (a, b) => ordered(a, b, (o) => o < 0),
  '<=': (a, b) => ordered(a, b, (o) => o <= 0),
  '>': (a, b) => ordered(a, b, (o) => o > 0),
  '>=': (a, b) => ordered(a, b, (o) => o >= 0),
};

const stringFunctions: Record<'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS', (s: string, a: string) => boolean> = {
  STARTS_WITH: (s, a) => s.startsWith(a),
  ENDS_WITH: (s, a) => s.endsWith(a),
  CONTAINS: (s, a) => s.includes(a),
};
