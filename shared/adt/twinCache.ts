// What the gateway knows about twins without asking ADT: the last document read, kept current with
// our own successful patches. The out-of-order guard reads stored sourceTimes from here, so a write
// never costs an extra GET (one read the first time a process meets a twin).

import type { JsonPatchOperation, Twin } from './types';

export interface CachedTwin {
  twin: Twin;
  etag: string | undefined;
}

export class TwinCache {
  private readonly entries = new Map<string, CachedTwin>();

  constructor(private readonly capacity = 20_000) {}

  get(twinId: string): CachedTwin | undefined {
    const entry = this.entries.get(twinId);
    if (entry) {
      // Map keeps insertion order: re-inserting makes this the most recently used entry.
      this.entries.delete(twinId);
      this.entries.set(twinId, entry);
    }
    return entry;
  }

  remember(twin: Twin, etag: string | undefined): void {
    this.entries.delete(twin.$dtId);
    this.entries.set(twin.$dtId, { twin: structuredClone(twin), etag: etag ?? twin.$etag });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Applies a patch ADT accepted to the cached copy; forgets the twin if the patch does not fit it. */
  applied(twinId: string, patch: JsonPatchOperation[], etag: string | undefined): void {
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

function decodeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Minimal RFC 6902 add/replace/remove on plain JSON; `$metadata/<p>/sourceTime` parents are created on the way. */
function applyOperation(root: Record<string, unknown>, operation: JsonPatchOperation): boolean {
  const segments = operation.path.split('/').slice(1).map(decodeSegment);
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
  else parent[last] = structuredClone(operation.value);
  return true;
}
