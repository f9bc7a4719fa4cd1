// Applies a Twin.Update notification's patch to our copy of the child. The patch holds the new
// values, so a change costs no read. Notifications may arrive out of order (Event Grid pushes in
// parallel): a property whose stored sourceTime is newer than the patch's keeps its value; the
// trailing refresh (ROLLUPS.md "Cost") settles what no sourceTime can order.
import type { JsonPatchOperation, Twin } from '../adt';
import { compareSourceTimes, unescapePointerSegment } from '../common';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `/a/b` → property key `a/b`; `/$metadata/a/sourceTime` and `/c/$metadata/a/...` → `a` / `c/a`. */
function propertyKeyOf(segments: readonly string[]): string | undefined {
  if (segments[0] === '$metadata') return segments[1] === undefined || segments[1].startsWith('$') ? undefined : segments[1];
  if (segments[1] === '$metadata') return segments[2] === undefined ? undefined : `${segments[0]}/${segments[2]}`;
  return segments[0];
}

function sourceTimeOf(twin: Twin, key: string): string | undefined {
  const slash = key.indexOf('/');
  const meta = slash < 0 ? twin.$metadata[key] : (twin[key.slice(0, slash)] as Json | undefined)?.$metadata;
  const entry = slash < 0 ? meta : isObject(meta) ? meta[key.slice(slash + 1)] : undefined;
  return isObject(entry) && typeof entry.sourceTime === 'string' ? entry.sourceTime : undefined;
}

/** Source times the patch stamps, per property key. */
function incomingSourceTimes(ops: readonly { segments: string[]; op: JsonPatchOperation }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const { segments, op } of ops) {
    const last = segments[segments.length - 1];
    if (last === 'sourceTime' && op.op !== 'remove' && typeof op.value === 'string') {
      const key = propertyKeyOf(segments);
      if (key !== undefined) out.set(key, op.value);
    }
  }
  return out;
}

function setAt(root: Json, segments: readonly string[], value: unknown): void {
  let node = root;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (!isObject(next)) node[segment] = {};
    node = node[segment] as Json;
  }
  node[segments[segments.length - 1] as string] = structuredClone(value);
}

function removeAt(root: Json, segments: readonly string[]): void {
  let node: unknown = root;
  for (const segment of segments.slice(0, -1)) node = isObject(node) ? node[segment] : undefined;
  if (isObject(node)) delete node[segments[segments.length - 1] as string];
}

/** Mutates `twin`; returns the property keys it changed (empty when every op was older). */
export function applyPatchToCopy(twin: Twin, patch: readonly JsonPatchOperation[], receivedAt: string): Set<string> {
  const ops = patch.map((op) => ({ op, segments: op.path.split('/').slice(1).map(unescapePointerSegment) }));
  const stamps = incomingSourceTimes(ops);
  const stale = new Set<string>();
  for (const [key, time] of stamps) {
    const stored = sourceTimeOf(twin, key);
    if (stored !== undefined && compareSourceTimes(stored, time) > 0) stale.add(key);
  }
  const changed = new Set<string>();
  for (const { op, segments } of ops) {
    if (segments.length === 0 || segments[0] === '') continue;
    const key = propertyKeyOf(segments);
    if (key !== undefined && stale.has(key)) continue;
    if (op.op === 'remove') removeAt(twin, segments);
    else setAt(twin, segments, op.value);
    // A value written without its own metadata still gets a time, so `latest` can order it.
    const isValue = segments[0] !== '$metadata' && segments[1] !== '$metadata';
    if (isValue && op.op !== 'remove' && segments.length === 1 && !stamps.has(segments[0] as string)) {
      twin.$metadata[segments[0] as string] = { lastUpdateTime: receivedAt };
    }
    if (isValue && op.op === 'remove' && segments.length === 1) delete twin.$metadata[segments[0] as string];
    if (key !== undefined) changed.add(key);
    else if (segments[0] === '$metadata' && segments[1] === '$model') changed.add('$model');
  }
  return changed;
}
