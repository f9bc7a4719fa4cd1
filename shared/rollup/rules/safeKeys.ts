// Keys a child twin's data must never contribute to a roll-up. A child's properties are input (a
// device's Map or Object values, a notification's patch paths), and `__proto__`, `constructor` and
// `prototype` are the names through which data reaches an object's prototype — by assignment, or by
// reading an inherited member such as `constructor` where an own property was meant. So a roll-up
// reads only own properties, never these names, and strips them at any depth from every value it
// aggregates, filters or binds into an expression.

const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isUnsafeKey(key: string): boolean {
  return UNSAFE_KEYS.has(key);
}

/** The own property `key` of `object`, never an inherited one, never an unsafe name. */
export function ownValue(object: Record<string, unknown>, key: string): unknown {
  return !isUnsafeKey(key) && Object.hasOwn(object, key) ? object[key] : undefined;
}

function holdsUnsafeKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(holdsUnsafeKey);
  for (const key of Object.keys(value)) if (isUnsafeKey(key) || holdsUnsafeKey((value as Record<string, unknown>)[key])) return true;
  return false;
}

function strip(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(strip);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (!isUnsafeKey(key)) out[key] = strip((value as Record<string, unknown>)[key]);
  return out;
}

/** `value` itself when no object in it has an unsafe key (the usual case: no copy), else a copy without them. */
export function withoutUnsafeKeys<T>(value: T): T {
  return holdsUnsafeKey(value) ? (strip(value) as T) : value;
}
