// ADT comparison semantics: values of different types never compare (every operator is false),
// and a missing property (undefined) compares false with everything.
import type { CompareOp } from './ast';

type TypeTag = 'undefined' | 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function typeTag(value: unknown): TypeTag {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  if (t === 'boolean' || t === 'number' || t === 'string') return t;
  return 'object';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeTag(value) === 'object';
}

/** Deep equality for values of the same type; used by `=`, IN and ARRAY_CONTAINS. */
export function sameValue(a: unknown, b: unknown): boolean {
  const tag = typeTag(a);
  if (tag !== typeTag(b) || tag === 'undefined') return false;
  if (tag === 'array') {
    const left = a as unknown[];
    const right = b as unknown[];
    return left.length === right.length && left.every((item, i) => sameValue(item, right[i]));
  }
  if (tag === 'object') {
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((key) => key in right && sameValue(left[key], right[key]));
  }
  return a === b;
}

export function compare(op: CompareOp, a: unknown, b: unknown): boolean {
  const tag = typeTag(a);
  if (tag !== typeTag(b) || tag === 'undefined') return false;
  if (op === '=') return sameValue(a, b);
  if (op === '!=') return !sameValue(a, b);
  // Ordering is defined for numbers and strings (ordinal, case-sensitive) only.
  if (tag !== 'number' && tag !== 'string') return false;
  const left = a as number | string;
  const right = b as number | string;
  switch (op) {
    case '<':
      return left < right;
    case '>':
      return left > right;
    case '<=':
      return left <= right;
    case '>=':
      return left >= right;
  }
}
