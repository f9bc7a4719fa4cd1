// Where a problem is in the file. Problems name a path (`ingest.rules[2].properties[0].target`) or a
// roll-up rule by name (`Roll-up rule "room", property "t"`); the YAML parser's source ranges turn
// that into a line and column. JSON is YAML, so the same parser serves a JSON file. It is loaded
// only when a file has problems to report: a valid file never pays for it.
import type { Node as YamlNode } from 'yaml';

export interface SourcePosition {
  line: number;
  column: number;
}

export type PathSegment = string | number;

const SEGMENT = /^(?:([A-Za-z_$][\w$]*)|\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;

/**
 * The path a problem line starts with (`ingest.rules[2]["odd key"].x: …` → its segments and the
 * text after it); undefined when the line does not start with one.
 */
export function leadingPath(issue: string): { segments: PathSegment[]; rest: string } | undefined {
  const segments: PathSegment[] = [];
  let at = 0;
  for (;;) {
    const match = SEGMENT.exec(issue.slice(at));
    if (!match || (segments.length === 0 && match[1] === undefined)) break;
    if (match[1] !== undefined || match[2] !== undefined) segments.push((match[1] ?? match[2]) as string);
    else if (match[3] !== undefined) segments.push(Number(match[3]));
    else segments.push(JSON.parse(match[4] as string) as string);
    at += match[0].length;
  }
  if (segments.length === 0 || !/^(?::| is )/.test(issue.slice(at))) return undefined;
  return { segments, rest: issue.slice(at) };
}

/** Segments back into the path form of the problem lines (see pointerToPath). */
export function pathText(segments: readonly PathSegment[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path === '' ? '(root)' : path;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/**
 * The path of a roll-up problem, which names its rule rather than its index:
 * `Roll-up rule "room", property "t": …`, `…, where: …`, `…: relationship "x" …`, `…: parentModel …`.
 */
export function rollupProblemPath(issue: string, file: unknown): PathSegment[] | undefined {
  const match = /Roll-up rules? (?:name )?"([^"]+)"/.exec(issue);
  if (!match) return undefined;
  const rules = record(file)?.rollups;
  const list = record(rules)?.rules;
  if (!Array.isArray(list)) return undefined;
  // `Roll-up rules "a" and "b" both derive …`: the second rule is the one that repeats.
  const second = /^Roll-up rules "[^"]+" and "([^"]+)"/.exec(issue.replace(/^rollups: /, ''));
  const name = second?.[1] ?? (match[1] as string);
  const indexes = list.flatMap((rule, i) => (record(rule)?.name === name ? [i] : []));
  const index = /is used twice/.test(issue) ? indexes[1] : indexes[0];
  if (index === undefined) return undefined;
  const path: PathSegment[] = ['rollups', 'rules', index];
  const after = issue.slice(match.index + match[0].length);
  const property = /^, property "([^"]+)"/.exec(after) ?? /^: derived property "([^"]+)"/.exec(after);
  if (property) {
    path.push('properties', property[1] as string);
    const input = /: (of|weight) "/.exec(after);
    const target = record(record(record(list[index])?.properties)?.[property[1] as string]);
    if (input && target && typeof target[input[1] as string] === 'string') path.push(input[1] as string);
    return path;
  }
  if (after.startsWith(', where')) return [...path, 'where'];
  const field = /^: (parentModel|childModel) /.exec(after);
  if (field) return [...path, field[1] as string];
  const relationship = /^: relationship "([^"]+)"/.exec(after);
  const relationships = record(list[index])?.relationships;
  if (relationship && Array.isArray(relationships)) {
    const at = relationships.indexOf(relationship[1]);
    return at >= 0 ? [...path, 'relationships', at] : [...path, 'relationships'];
  }
  if (/is used twice/.test(issue)) return [...path, 'name'];
  return path;
}

/** Line and column of paths in one file's text. */
export class SourcePositions {
  private readonly document: import('yaml').Document.Parsed;
  private readonly lines: import('yaml').LineCounter;
  private readonly yaml: typeof import('yaml');

  constructor(text: string) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    this.yaml = require('yaml') as typeof import('yaml');
    this.lines = new this.yaml.LineCounter();
    this.document = this.yaml.parseDocument(text, { lineCounter: this.lines, uniqueKeys: false });
  }

  /**
   * Where the value at `path` is written: a scalar's own text, a mapping or list by the key that
   * holds it. A path that goes further than the file (a missing required key) ends at the deepest
   * part that exists.
   */
  positionOf(path: readonly PathSegment[]): SourcePosition | undefined {
    const { isMap, isSeq, isScalar } = this.yaml;
    let node: unknown = this.document.contents;
    let anchor: YamlNode | undefined = isScalar(node) || isMap(node) || isSeq(node) ? (node as YamlNode) : undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        node = pair.value;
        anchor = isScalar(node) ? node : isScalar(pair.key) ? pair.key : anchor;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined || item === null) break;
        node = item;
        anchor = isScalar(item) || isMap(item) || isSeq(item) ? (item as YamlNode) : anchor;
      } else break;
    }
    const offset = anchor?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}
