// A deliberately small path syntax into a JSON body: `a.b[0].c`, `["key with.dots"]`, optional `$.`
// prefix. Anything richer belongs in a JSONata expression.

export type PathSegment = string | number;

const tokenPattern = /\.?([A-Za-z_$@][\w$@-]*)|\[(\d+)\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[\s*'((?:[^'\\]|\\.)*)'\s*\]/y;

/** Parses a path; returns an error text instead of throwing so config compile can collect all errors. */
export function parsePath(path: string): PathSegment[] | string {
  const text = path.startsWith('$.') ? path.slice(2) : path === '$' ? '' : path;
  const segments: PathSegment[] = [];
  tokenPattern.lastIndex = 0;
  let position = 0;
  while (position < text.length) {
    tokenPattern.lastIndex = position;
    const match = tokenPattern.exec(text);
    if (!match || (position === 0 && text.startsWith('.'))) {
      return `invalid path "${path}" at character ${position + 1}; use a.b[0].c or ["key"]`;
    }
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push((match[3] ?? match[4] ?? '').replace(/\\(.)/g, '$1'));
    position = tokenPattern.lastIndex;
  }
  return segments;
}

export function readPath(root: unknown, segments: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}
