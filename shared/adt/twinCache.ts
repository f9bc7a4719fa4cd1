// What the gateway knows about twins without asking ADT: the last document read, kept current with
// our own successful patches. The out-of-order guard reads stored sourceTimes from here, so a write
// never costs an extra GET (one read the first time a process meets a twin).
//
// Two tiers, so a fleet larger than the full-copy tier degrades gracefully instead of falling off a
// cliff (every message a GET): a twin evicted from the full copies keeps a guard copy — its model,
// ETag, per-property sourceTimes, the shape of its objects and its compact scalar values (numbers,
// booleans, strings up to `guardStringLength` characters; longer strings and arrays are dropped) —
// which is all the ingest write path needs (stale guard, deadband and equality, patch parents,
// If-Match). A value the guard copy dropped is absent, never wrong: the write path then writes.
// Readers that need whole documents (the propagator's recompute) see only full copies.

import { LruCache, parsePointer } from '../common';
import type { JsonPatchOperation, Twin } from './types';

export interface CachedTwin {
  twin: Twin;
  etag: string | undefined;
  /** A guard copy: $metadata (model, sourceTimes), the objects' shape and compact scalar values only. */
  guardOnly?: true;
}

/** Default tier sizes; memory per twin of each tier is measured by `npm run bench -- fleet`. */
export const defaultTwinCacheSize = 20_000;
export const defaultGuardCacheSize = 150_000;
/** Longest string a guard copy keeps (enums, states, ids); a longer one is dropped and always rewritten. */
export const guardStringLength = 64;

/** A value a guard copy keeps as is. */
function isCompactScalar(value: unknown): value is number | boolean | string {
  return typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && value.length <= guardStringLength);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps sourceTimes, the model, objects and compact scalars (the id is the key, the ETag is on the entry). */
function guardShape(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$metadata' && isObject(value)) out[key] = metadataShape(value);
    else if (isObject(value)) out[key] = guardShape(value);
    else if (isCompactScalar(value) && !key.startsWith('$')) out[key] = value;
  }
  return out;
}

/** Thousands of twins share a handful of models: one string per model, not one per twin. */
const modelIds = new Map<string, string>();
function internModel(model: string): string {
  let shared = modelIds.get(model);
  if (shared === undefined) {
    if (modelIds.size >= 10_000) modelIds.clear();
    modelIds.set(model, (shared = model));
  }
  return shared;
}

function metadataShape(metadata: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (key === '$model' && typeof value === 'string') out[key] = internModel(value);
    else if (isObject(value) && typeof value.sourceTime === 'string') out[key] = { sourceTime: value.sourceTime };
  }
  return out;
}

export function guardCopy(twinId: string, entry: CachedTwin): CachedTwin {
  return { twin: { ...guardShape(entry.twin), $dtId: twinId } as Twin, etag: entry.etag, guardOnly: true };
}

export class TwinCache {
  private readonly entries: LruCache<string, CachedTwin>;
  private readonly guards: LruCache<string, CachedTwin> | undefined;

  /** `guardCapacity` 0 turns the guard tier off. */
  constructor(capacity = defaultTwinCacheSize, guardCapacity = defaultGuardCacheSize) {
    this.guards = guardCapacity > 0 ? new LruCache({ capacity: guardCapacity }) : undefined;
    const guards = this.guards;
    this.entries = new LruCache({
      capacity,
      onEvict: guards ? (twinId, entry) => guards.set(twinId, guardCopy(twinId, entry)) : undefined,
    });
  }

  /** The full copy (values included), if this process has one. */
  get(twinId: string): CachedTwin | undefined {
    return this.entries.get(twinId);
  }

  /** What the write path may trust: the full copy, else the guard copy of a twin evicted from the full tier. */
  forWrite(twinId: string): CachedTwin | undefined {
    return this.entries.get(twinId) ?? this.guards?.get(twinId);
  }

  remember(twin: Twin, etag: string | undefined): void {
    this.guards?.delete(twin.$dtId);
    this.entries.set(twin.$dtId, { twin: structuredClone(twin), etag: etag ?? twin.$etag });
  }

  /**
   * Keeps a guard copy of a twin read from somewhere less current than a GET (the query index, see
   * twinPreload.ts), unless the process already holds a copy: that one is at least as current.
   * False when there is no guard tier to keep it in.
   */
  rememberGuard(twin: Twin, etag: string | undefined): boolean {
    if (!this.guards) return false;
    if (this.entries.get(twin.$dtId) || this.guards.get(twin.$dtId)) return true;
    this.guards.set(twin.$dtId, guardCopy(twin.$dtId, { twin, etag: etag ?? twin.$etag }));
    return true;
  }

  /** Applies a patch ADT accepted to the cached copy; forgets the twin if the patch does not fit it. */
  applied(twinId: string, patch: readonly JsonPatchOperation[], etag: string | undefined): void {
    const full = this.entries.get(twinId);
    const entry = full ?? this.guards?.get(twinId);
    if (!entry) return;
    for (const operation of patch) {
      if (!applyOperation(entry.twin, operation, entry.guardOnly === true)) {
        this.forget(twinId);
        return;
      }
    }
    entry.etag = etag;
    if (!entry.guardOnly) entry.twin.$etag = etag;
  }

  forget(twinId: string): void {
    this.entries.delete(twinId);
    this.guards?.delete(twinId);
  }
}

/**
 * Minimal RFC 6902 add/replace/remove on plain JSON; `$metadata/<p>/sourceTime` parents are created
 * on the way. On a guard copy, values are not stored (only sourceTimes and the objects' shape).
 */
function applyOperation(root: Record<string, unknown>, operation: JsonPatchOperation, guardOnly: boolean): boolean {
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
  else if (guardOnly) {
    // A guard copy keeps sourceTimes, objects (possible patch parents) and compact scalars; any
    // other value is removed, so the copy never holds an old one.
    if (isObject(operation.value))
      parent[last] = segments.includes('$metadata') ? structuredClone(operation.value) : guardShape(operation.value);
    else if (segments.includes('$metadata') && typeof operation.value === 'string') parent[last] = operation.value;
    else if (!segments.includes('$metadata') && isCompactScalar(operation.value)) parent[last] = operation.value;
    else delete parent[last];
  }
  // Primitives need no copy; objects are cloned so the caller's patch cannot alias our copy.
  else parent[last] = typeof operation.value === 'object' && operation.value !== null ? structuredClone(operation.value) : operation.value;
  return true;
}
