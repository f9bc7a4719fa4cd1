// A file with a schema error still has parts worth checking: the JSONata of another rule, the
// targets the models must declare. This copies the file without the parts the schema refuses (a
// wrong value, the object missing a required key, an unknown key), so those parts can be compiled
// and checked in the same run, and maps paths in the copy back to the file (an array item removed
// shifts its siblings' indexes).
import type { ErrorObject } from 'ajv';

import { parsePointer } from '../common';
import type { PathSegment } from './positions';

const REMOVED = Symbol('removed');
const MAX_ROUNDS = 16;

export interface PrunedFile {
  /** The file without what the schema refuses; it passes the schema. */
  value: unknown;
  /** The paths removed from the file (file coordinates). */
  removed: PathSegment[][];
  /** A path in `value` → the same place in the file. */
  originalPath(path: readonly PathSegment[]): PathSegment[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The marked tree without its removed items; each rebuilt array remembers its items' original indexes. */
function rebuild(node: unknown, indexes: WeakMap<object, number[]>): unknown {
  if (Array.isArray(node)) {
    const kept: unknown[] = [];
    const from: number[] = [];
    node.forEach((item: unknown, i) => {
      if (item === REMOVED) return;
      kept.push(rebuild(item, indexes));
      from.push(i);
    });
    indexes.set(kept, from);
    return kept;
  }
  if (isRecord(node)) return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, rebuild(value, indexes)]));
  return node;
}

/** Removes from `marked` the value at `path`; false when it is the root (nothing can be removed). */
function remove(marked: unknown, path: readonly PathSegment[]): boolean {
  if (path.length === 0) return false;
  let parent: unknown = marked;
  for (const segment of path.slice(0, -1)) {
    parent = Array.isArray(parent) ? parent[Number(segment)] : isRecord(parent) ? parent[String(segment)] : undefined;
  }
  const last = path[path.length - 1] as PathSegment;
  if (Array.isArray(parent)) parent[Number(last)] = REMOVED;
  else if (isRecord(parent)) delete parent[String(last)];
  return true;
}

/**
 * `value` without every part `validate` refuses, or undefined when the whole file is refused.
 * `validate` returns Ajv's raw errors (empty when valid).
 */
export function pruneInvalid(value: unknown, validate: (value: unknown) => readonly ErrorObject[]): PrunedFile | undefined {
  const marked = structuredClone(value);
  const removed: PathSegment[][] = [];
  let indexes = new WeakMap<object, number[]>();
  let current = rebuild(marked, indexes);
  const toOriginal = (path: readonly PathSegment[]): PathSegment[] => {
    const original: PathSegment[] = [];
    let node: unknown = current;
    for (const segment of path) {
      if (Array.isArray(node)) {
        const index = Number(segment);
        original.push(indexes.get(node)?.[index] ?? index);
        node = node[index];
      } else {
        original.push(segment);
        node = isRecord(node) ? node[String(segment)] : undefined;
      }
    }
    return original;
  };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const errors = validate(current);
    if (errors.length === 0) return { value: current, removed, originalPath: toOriginal };
    const paths = errors.map((error) => {
      const at: PathSegment[] = parsePointer(error.instancePath);
      // An unknown key goes alone; anything else takes the value it is about with it.
      if (error.keyword === 'additionalProperties') at.push((error.params as { additionalProperty: string }).additionalProperty);
      return toOriginal(at.map((segment, i) => (Array.isArray(nodeAt(current, at.slice(0, i))) ? Number(segment) : segment)));
    });
    // Deepest first, so removing an item never moves one still to be removed.
    paths.sort((a, b) => b.length - a.length);
    for (const path of paths) {
      if (!remove(marked, path)) return undefined;
      removed.push(path);
    }
    indexes = new WeakMap();
    current = rebuild(marked, indexes);
  }
  return undefined;
}

function nodeAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) node = Array.isArray(node) ? node[Number(segment)] : isRecord(node) ? node[String(segment)] : undefined;
  return node;
}
