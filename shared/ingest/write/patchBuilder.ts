// The one JSON Patch builder: one patch per twin per write. Every op is `add` (an upsert in ADT;
// `replace` fails on a property that was never set). A missing parent (a component absent from the
// twin, an Object or Map property never set) is added first, because ADT cannot resolve a path
// below it. `$metadata/<property>/sourceTime` follows each property unless emitSourceTime is off.

import type { JsonPatchOperation, Twin } from '../../adt';
import { latestSourceTime, toPointer } from '../../common';
import { adtLimits, type PropertyUpdate, valueSegments } from '../message';

export interface PatchOptions {
  /** Write `$metadata/<property>/sourceTime` (ingest.options.emitSourceTime). Default true. */
  emitSourceTime?: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `twin` is the best known copy (cache or fresh read); undefined means "assume nothing exists". */
export function buildPatch(twin: Twin | undefined, updates: readonly PropertyUpdate[], options: PatchOptions = {}): JsonPatchOperation[] {
  const operations: JsonPatchOperation[] = [];
  const createdParents = new Set<string>();
  const sourceTimes = new Map<string, { prefix: string[]; property: string; times: string[] }>();

  for (const update of updates) {
    const segments = valueSegments(update);
    let node: unknown = twin;
    for (let depth = 0; depth < segments.length - 1; depth += 1) {
      const prefix = segments.slice(0, depth + 1);
      const key = toPointer(prefix);
      const next = isObject(node) ? node[prefix[depth] as string] : undefined;
      if (isObject(next) || createdParents.has(key)) {
        node = next;
        continue;
      }
      const isComponent = update.component !== undefined && depth === 0;
      operations.push({ op: 'add', path: key, value: isComponent ? { $metadata: {} } : {} });
      createdParents.add(key);
      node = undefined;
    }
    operations.push({ op: 'add', path: toPointer(segments), value: update.value });
    if (options.emitSourceTime === false) continue;
    const prefix = update.component === undefined ? [] : [update.component];
    const metadataKey = toPointer([...prefix, update.property]);
    const entry = sourceTimes.get(metadataKey) ?? { prefix, property: update.property, times: [] };
    entry.times.push(update.sourceTime);
    sourceTimes.set(metadataKey, entry);
  }

  for (const { prefix, property, times } of sourceTimes.values()) {
    const time = latestSourceTime(times);
    if (time !== undefined) operations.push({ op: 'add', path: toPointer([...prefix, '$metadata', property, 'sourceTime']), value: time });
  }
  return operations;
}

/** The sourceTime ADT holds for the property an update targets (Object fields and Map keys share their property's). */
export function storedSourceTime(twin: Twin | undefined, update: Pick<PropertyUpdate, 'component' | 'property'>): string | undefined {
  const container: unknown = update.component === undefined ? twin : twin?.[update.component];
  const metadata = isObject(container) ? container.$metadata : undefined;
  const entry = isObject(metadata) ? metadata[update.property] : undefined;
  const sourceTime = isObject(entry) ? entry.sourceTime : undefined;
  return typeof sourceTime === 'string' ? sourceTime : undefined;
}

/** JSON bytes an update adds to a patch: its value operation and its sourceTime operation. */
function estimatedBytes(update: PropertyUpdate): number {
  const value = update.value === undefined ? 0 : Buffer.byteLength(JSON.stringify(update.value), 'utf8');
  const path = valueSegments(update).reduce((n, s) => n + Buffer.byteLength(s, 'utf8') + 1, 0);
  return value + 2 * path + 128;
}

/**
 * Splits a twin's updates into groups whose PATCH stays under ADT's 32 KB request limit (with room
 * for parent-creating operations). Each group is built into its patch only when it is sent, from the
 * twin as the previous group left it.
 */
export function requestGroups(updates: readonly PropertyUpdate[], maxBytes: number = adtLimits.maxRequestBytes - 1024): PropertyUpdate[][] {
  const groups: PropertyUpdate[][] = [];
  let current: PropertyUpdate[] = [];
  let size = 2;
  for (const update of updates) {
    const bytes = estimatedBytes(update);
    if (current.length > 0 && size + bytes > maxBytes) {
      groups.push(current);
      current = [];
      size = 2;
    }
    current.push(update);
    size += bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
