// RFC 6901 pointers and RFC 6902 add/replace/remove with ADT's twist: `add` overwrites (upsert),
// while `replace`/`remove` need the target and every operation needs the parent to exist.
import { errors } from '../errors';
import type { PatchOperation } from '../types';

export function parsePointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return value !== null && typeof value === 'object';
}

function childOf(container: Container, token: string): unknown {
  if (Array.isArray(container)) {
    const index = Number(token);
    return Number.isInteger(index) ? container[index] : undefined;
  }
  return Object.hasOwn(container, token) ? container[token] : undefined;
}

/** Mutates `root`. Throws JsonPatchInvalid naming the first path segment that was not found. */
export function applyAtPointer(root: Record<string, unknown>, tokens: string[], op: PatchOperation): void {
  let parent: Container = root;
  for (const token of tokens.slice(0, -1)) {
    const next = childOf(parent, token);
    if (!isContainer(next)) throw errors.patchPathNotFound(token);
    parent = next;
  }
  const last = tokens[tokens.length - 1];
  if (last === undefined) throw errors.patchInvalid('The path must name a property.');
  if (Array.isArray(parent)) applyToArray(parent, last, op);
  else applyToObject(parent, last, op);
}

function applyToObject(parent: Record<string, unknown>, key: string, op: PatchOperation): void {
  const exists = Object.hasOwn(parent, key);
  if (op.op !== 'add' && !exists) throw errors.patchPathNotFound(key);
  if (op.op === 'remove') delete parent[key];
  else parent[key] = structuredClone(op.value);
}

function applyToArray(parent: unknown[], token: string, op: PatchOperation): void {
  if (op.op === 'add' && token === '-') {
    parent.push(structuredClone(op.value));
    return;
  }
  const index = Number(token);
  const limit = op.op === 'add' ? parent.length : parent.length - 1;
  if (!/^\d+$/.test(token) || index > limit) throw errors.patchPathNotFound(token);
  if (op.op === 'add') parent.splice(index, 0, structuredClone(op.value));
  else if (op.op === 'replace') parent[index] = structuredClone(op.value);
  else parent.splice(index, 1);
}
