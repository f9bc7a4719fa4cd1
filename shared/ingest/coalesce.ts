// Folds a batch's property updates into one JSON Patch per twin: the newest value per property wins
// (sourceTime, then sequence number), older ones are counted as coalesced, and values older than what
// the twin already stores (knownSourceTimes) are skipped as stale, because ADT itself accepts them.
//
// Paths: only `add` (an upsert in ADT, unlike `replace` on an unset property) on top-level properties
// or component properties. Nested object fields are never addressed: `add /obj/sub` fails while /obj is
// unset, so object values are written whole. Components must exist on the twin (created with it).

import type { PropertyUpdate } from './mappingResult';
import { compareSourceTimes } from './sourceTime';

export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** The sourceTime the twin already stores for a property, if the gateway has seen it. */
export type KnownSourceTimes = (twinId: string, component: string | undefined, property: string) => string | undefined;

export interface CoalesceOptions {
  knownSourceTimes?: KnownSourceTimes;
  /** Write `$metadata/<prop>/sourceTime` next to each value (ingest.options.emitSourceTime). Default true. */
  emitSourceTime?: boolean;
}

export interface TwinPatch {
  twinId: string;
  operations: JsonPatchOperation[];
  /** The winning update per property, in patch order. */
  applied: PropertyUpdate[];
  /** Updates replaced by a newer value for the same property within the batch. */
  coalesced: PropertyUpdate[];
  /** Updates older than the twin's stored sourceTime. */
  stale: PropertyUpdate[];
}

export interface CoalesceResult {
  /** One entry per twin with at least one applied update, in first-seen order. */
  patches: TwinPatch[];
  /** Twins whose every update was stale (nothing to write). */
  staleOnly: TwinPatch[];
  counts: { input: number; applied: number; coalesced: number; stale: number };
}

/** RFC 6901 escaping; DTDL names never need it, but a config typo must not corrupt a path. */
export function pointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function propertyPointer(component: string | undefined, property: string): string {
  return component === undefined ? `/${pointerSegment(property)}` : `/${pointerSegment(component)}/${pointerSegment(property)}`;
}

export function sourceTimePointer(component: string | undefined, property: string): string {
  const prefix = component === undefined ? '' : `/${pointerSegment(component)}`;
  return `${prefix}/$metadata/${pointerSegment(property)}/sourceTime`;
}

/** Positive when `a` should win over `b`. */
function newer(a: PropertyUpdate, b: PropertyUpdate): number {
  return compareSourceTimes(a.sourceTime, b.sourceTime) || (a.sequenceNumber ?? -1) - (b.sequenceNumber ?? -1);
}

export function coalesce(updates: readonly PropertyUpdate[], options: CoalesceOptions = {}): CoalesceResult {
  const emitSourceTime = options.emitSourceTime ?? true;
  const byTwin = new Map<string, Map<string, PropertyUpdate[]>>();
  for (const update of updates) {
    let properties = byTwin.get(update.twinId);
    if (!properties) byTwin.set(update.twinId, (properties = new Map()));
    const key = propertyPointer(update.component, update.property);
    const list = properties.get(key);
    if (list) list.push(update);
    else properties.set(key, [update]);
  }

  const result: CoalesceResult = { patches: [], staleOnly: [], counts: { input: updates.length, applied: 0, coalesced: 0, stale: 0 } };
  for (const [twinId, properties] of byTwin) {
    const patch: TwinPatch = { twinId, operations: [], applied: [], coalesced: [], stale: [] };
    for (const candidates of properties.values()) {
      let winner = candidates[0] as PropertyUpdate;
      for (const candidate of candidates.slice(1)) if (newer(candidate, winner) > 0) winner = candidate;
      for (const candidate of candidates) if (candidate !== winner) patch.coalesced.push(candidate);
      const stored = options.knownSourceTimes?.(twinId, winner.component, winner.property);
      if (stored !== undefined && compareSourceTimes(winner.sourceTime, stored) < 0) {
        // Every candidate is at most as new as the winner, so all of them are stale.
        patch.stale.push(winner, ...patch.coalesced.splice(patch.coalesced.length - (candidates.length - 1)));
        continue;
      }
      patch.applied.push(winner);
      patch.operations.push({ op: 'add', path: propertyPointer(winner.component, winner.property), value: winner.value });
      if (emitSourceTime) patch.operations.push({ op: 'add', path: sourceTimePointer(winner.component, winner.property), value: winner.sourceTime });
    }
    result.counts.applied += patch.applied.length;
    result.counts.coalesced += patch.coalesced.length;
    result.counts.stale += patch.stale.length;
    (patch.applied.length > 0 ? result.patches : result.staleOnly).push(patch);
  }
  return result;
}
