// Keys a message could use to reach an object's prototype. JSON.parse turns `"__proto__"` into an own
// key, harmless until code copies it with `target[key] = value` (which sets the copy's prototype, so a
// later for-in sees the hostile object's fields as if they were the message's). None of these keys is a
// usable DTDL name for a device to write, so decoding removes them wherever they occur (the message
// keeps the rest and is marked filtered `prototype-key`) and mapping refuses a value that carries one.

export function isPrototypeKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

/** Prototypes a JSON value may have; anything else was built by code that honoured a `__proto__`. */
function plainPrototype(node: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(node);
  return prototype === Object.prototype || prototype === null || prototype === Array.prototype;
}

/**
 * The first place in `value` (a JSON Pointer below `at`) where a prototype key occurs, or an object
 * does not have a plain prototype; undefined when there is none. Scalars cost one check.
 */
export function prototypeKeyIn(value: unknown, at = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (!plainPrototype(value)) return at === '' ? '/' : at;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = prototypeKeyIn(value[index], `${at}/${index}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (isPrototypeKey(key)) return `${at}/${key}`;
    const found = prototypeKeyIn((value as Record<string, unknown>)[key], `${at}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * A copy of `value` without prototype keys at any depth; each removed key's JSON Pointer (below `at`)
 * is added to `removed`. Only hostile input takes this path, so it favours clarity over speed.
 */
export function withoutPrototypeKeys(value: unknown, removed: string[], at = ''): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item, index) => withoutPrototypeKeys(item, removed, `${at}/${index}`));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (isPrototypeKey(key)) {
      removed.push(`${at}/${key}`);
      continue;
    }
    // defineProperty, not assignment: the copy never runs a setter a key could name.
    Object.defineProperty(copy, key, {
      value: withoutPrototypeKeys((value as Record<string, unknown>)[key], removed, `${at}/${key}`),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
