// RFC 6901 JSON Pointers, the path language of ADT's JSON Patch. Escaping lives here only: a property
// or map key containing `~` or `/` must never corrupt a path.

/** One reference token: `~` → `~0`, `/` → `~1`. */
export function escapePointerSegment(segment: string): string {
  return segment.indexOf('~') === -1 && segment.indexOf('/') === -1 ? segment : segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerSegment(segment: string): string {
  return segment.indexOf('~') === -1 ? segment : segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `['a', 'b/c']` → `/a/b~1c`; `[]` → `` (the whole document). */
export function toPointer(segments: readonly string[]): string {
  let pointer = '';
  for (const segment of segments) pointer += `/${escapePointerSegment(segment)}`;
  return pointer;
}

/** `/a/b~1c` → `['a', 'b/c']`; throws on a pointer that does not start with `/` (except ``). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON Pointer: it must be empty or start with "/".`);
  return pointer.slice(1).split('/').map(unescapePointerSegment);
}
