// ADT's payload limits, checked per value while mapping — before coalescing — so a value ADT would
// refuse is dead-lettered with its own message and never displaces an older valid value.
// (ADT service limits: 4 KB per string value, 1 KB per property name, 32 KB per request.)

export const adtLimits = {
  maxStringBytes: 4 * 1024,
  maxNameBytes: 1024,
  maxRequestBytes: 32 * 1024,
} as const;

/** Room kept in a 32 KB PATCH for the path, the sourceTime operation and JSON punctuation. */
const patchOverheadBytes = 1024;

/** Why `value` cannot be written as one property value, or undefined when it fits. */
export function adtValueProblem(value: unknown): string | undefined {
  // Fast path for what nearly every value is: a number, a boolean or a short string.
  if (typeof value !== 'object' || value === null) {
    if (typeof value !== 'string' || value.length * 3 <= adtLimits.maxStringBytes) return undefined;
  }
  // Iterative walk: the body depth limit already bounds it, but no value may overflow the stack.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') {
      // Fast path: a string of n UTF-16 units has at most 3n UTF-8 bytes.
      if (node.length * 3 > adtLimits.maxStringBytes && Buffer.byteLength(node, 'utf8') > adtLimits.maxStringBytes) {
        return `a string of ${Buffer.byteLength(node, 'utf8')} bytes is over ADT's ${adtLimits.maxStringBytes}-byte limit for string values`;
      }
    } else if (Array.isArray(node)) {
      stack.push(...node);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        if (key.length * 3 > adtLimits.maxNameBytes && Buffer.byteLength(key, 'utf8') > adtLimits.maxNameBytes) {
          return `a field name of ${Buffer.byteLength(key, 'utf8')} bytes is over ADT's ${adtLimits.maxNameBytes}-byte limit for names`;
        }
        stack.push(child);
      }
    }
  }
  if (typeof value === 'object' && value !== null) {
    const size = Buffer.byteLength(JSON.stringify(value), 'utf8');
    if (size > adtLimits.maxRequestBytes - patchOverheadBytes)
      return `the value is ${size} bytes of JSON, more than fits in one ${adtLimits.maxRequestBytes}-byte ADT request`;
  }
  return undefined;
}

/** Why a property or Map key name cannot be used, or undefined. */
export function adtNameProblem(name: string): string | undefined {
  if (name.length * 3 <= adtLimits.maxNameBytes) return undefined;
  const bytes = Buffer.byteLength(name, 'utf8');
  return bytes > adtLimits.maxNameBytes ? `the name is ${bytes} bytes, over ADT's ${adtLimits.maxNameBytes}-byte limit` : undefined;
}
