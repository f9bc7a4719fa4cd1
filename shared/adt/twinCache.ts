// What the gateway knows about twins without asking ADT: the last document read, kept current with
// our own successful patches. The out-of-order guard reads stored sourceTimes from here, so a write
// never costs an extra GET (one read the first time a process meets a twin).

import { LruCache, parsePointer } from '../common';
import type { JsonPatchOperation, Twin } from './types';

export interface CachedTwin {
  twin: Twin;
  etag: string | undefined;
}

export class TwinCache {
  private readonly entries: LruCache<string, CachedTwin>;

  constructor(capacity = 20_000) {
    this.entries = new LruCache({ capacity });
  }

  get(twinId: string): CachedTwin | undefined {
    return this.entries.get(twinId);
  }

  remember(twin: Twin, etag: string | undefined): void {
    this.entries.set(twin.$dtId, { twin: structuredClone(twin), etag: etag ?? twin.$etag });
  }

  /** Applies a patch ADT accepted to the cached copy; forgets the twin if the patch does not fit it. */
  applied(twinId: string, patch: readonly JsonPatchOperation[], etag: string | undefined): void {
    const entry = this.entries.get(twinId);
    if (!entry) return;
    for (const operation of patch) {
      if (!applyOperation(entry.twin, operation)) {
        this.entries.delete(twinId);
        return;
      }
    }
    entry.etag = etag;
    entry.twin.$etag = etag;
  }

  forget(twinId: string): void {
    this.entries.delete(twinId);
  }
}

/** Minimal RFC 6902 add/replace/remove on plain JSON; `$metadata/<p>/sourceTime` parents are created on the way. */
function applyOperation(root: Record<string, unknown>, operation: JsonPatchOperation): boolean {
  const segments = parsePointer(operation.path);
  const last = segments.pop();
  if (last === undefined) return false;
  // ADT creates metadata entries itself, so a sourceTime path may name parents the copy lacks.
  const createParents = segments.includes('$metadata');
  let parent: Record<string, unknown> = root;
  for (const segment of segments) {
    let next = parent[segment];
    if ((next === undefined || next === null) && createParents) {
      next = {};
      parent[segment] = next;
    }
    if (typeof next !== 'object' || next === null || Array.isArray(next)) return false;
    parent = next as Record<string, unknown>;
  }
  if (operation.op === 'remove') delete parent[last];
  // Primitives need no copy; objects are cloned so the caller's patch cannot alias our copy.
  else parent[last] = typeof operation.value === 'object' && operation.value !== null ? structuredClone(operation.value) : operation.value;
  return true;
}
