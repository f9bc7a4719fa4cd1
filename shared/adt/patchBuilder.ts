// Builds the one JSON Patch sent per twin per batch. Every op is `add` (an upsert in ADT; `replace`
// fails on a property that was never set). A missing parent (a component absent from the twin, or
// an Object property never set) is added first, because ADT cannot resolve a path below it.

import { latest } from './sourceTime';
import type { PropertyUpdate } from './twinUpdate';
import type { JsonPatchOperation, Twin } from './types';

export function pointer(segments: string[]): string {
  return segments.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `twin` is the best known copy (cache or fresh read); undefined means "assume nothing exists". */
export function buildPatch(twin: Twin | undefined, updates: PropertyUpdate[]): JsonPatchOperation[] {
  const operations: JsonPatchOperation[] = [];
  const createdParents = new Set<string>();
  const sourceTimes = new Map<string, { base: string[]; property: string; times: string[] }>();

  for (const update of updates) {
    const base = update.component === undefined ? [] : [update.component];
    const [property] = update.path;
    if (property === undefined) continue;
    const segments = [...base, ...update.path];
    let node: unknown = twin;
    for (let depth = 0; depth < segments.length - 1; depth += 1) {
      const prefix = segments.slice(0, depth + 1);
      const key = pointer(prefix);
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
    operations.push({ op: 'add', path: pointer(segments), value: update.value });
    const metadataKey = pointer([...base, property]);
    const entry = sourceTimes.get(metadataKey) ?? { base, property, times: [] };
    entry.times.push(update.sourceTime);
    sourceTimes.set(metadataKey, entry);
  }

  for (const { base, property, times } of sourceTimes.values()) {
    const time = latest(times);
    if (time !== undefined) operations.push({ op: 'add', path: pointer([...base, '$metadata', property, 'sourceTime']), value: time });
  }
  return operations;
}

/** The sourceTime ADT holds for the property an update targets (object fields share their property's). */
export function storedSourceTime(twin: Twin | undefined, update: PropertyUpdate): string | undefined {
  const container: unknown = update.component === undefined ? twin : twin?.[update.component];
  const metadata = isObject(container) ? container.$metadata : undefined;
  const property = update.path[0];
  const entry = isObject(metadata) && property !== undefined ? metadata[property] : undefined;
  const sourceTime = isObject(entry) ? entry.sourceTime : undefined;
  return typeof sourceTime === 'string' ? sourceTime : undefined;
}
