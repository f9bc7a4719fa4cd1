// Applies a Twin.Update notification's patch to our copy of the child. The patch holds the new
// values, so a change costs no read. Notifications may arrive out of order (Event Grid pushes in
// parallel), and sourceTime cannot order them: a derived value's sourceTime legitimately moves
// back when its newest input goes away. So patches apply as they arrive and the trailing refresh
// (ROLLUPS.md "Cost") settles the order.
import type { JsonPatchOperation, Twin } from '../../adt';
import { unescapePointerSegment } from '../../common';
import { isUnsafeKey, withoutUnsafeKeys } from '../rules';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `/a/b` → property key `a/b`; `/$metadata/a/sourceTime` and `/c/$metadata/a/...` → `a` / `c/a`. */
function propertyKeyOf(segments: readonly string[]): string | undefined {
  if (segments[0] === '$metadata') return segments[1] === undefined || segments[1].startsWith('$') ? undefined : segments[1];
  if (segments[1] === '$metadata') return segments[2] === undefined ? undefined : `${segments[0]}/${segments[2]}`;
  return segments[0];
}

/** Properties the patch stamps with a sourceTime (their metadata comes from the patch). */
function stampedProperties(ops: readonly { segments: string[]; op: JsonPatchOperation }[]): Set<string> {
  const out = new Set<string>();
  for (const { segments, op } of ops) {
    if (segments[segments.length - 1] !== 'sourceTime' || op.op === 'remove') continue;
    const key = propertyKeyOf(segments);
    if (key !== undefined) out.add(key);
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
  // Only objects need a copy of their own; a primitive is its own copy.
  node[segments[segments.length - 1] as string] =
    typeof value === 'object' && value !== null ? structuredClone(withoutUnsafeKeys(value)) : value;
}

function removeAt(root: Json, segments: readonly string[]): void {
  let node: unknown = root;
  for (const segment of segments.slice(0, -1)) node = isObject(node) ? node[segment] : undefined;
  if (isObject(node)) delete node[segments[segments.length - 1] as string];
}

/** Mutates `twin`; returns the property keys the patch touched. An op whose path names
 * `__proto__`, `constructor` or `prototype` anywhere is not applied: it would write through to a
 * prototype (rules/safeKeys.ts), and no roll-up may read such a property. */
export function applyPatchToCopy(twin: Twin, patch: readonly JsonPatchOperation[], receivedAt: string): Set<string> {
  const ops = patch
    .map((op) => ({ op, segments: op.path.split('/').slice(1).map(unescapePointerSegment) }))
    .filter(({ segments }) => !segments.some(isUnsafeKey));
  const stamps = stampedProperties(ops);
  const changed = new Set<string>();
  for (const { op, segments } of ops) {
    if (segments.length === 0 || segments[0] === '') continue;
    const key = propertyKeyOf(segments);
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
