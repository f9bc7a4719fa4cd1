// Turns derived values into the smallest JSON Patch for the parent; no ops = skip the write,
// which is what ends a chain of roll-ups.
import type { JsonPatchOperation, Twin } from '../../adt';
import { escapePointerSegment as pointer } from '../../common';
import type { DerivedValue } from '../rules';

export function sameValue(a: unknown, b: unknown, tolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= tolerance;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  const ar = a as Record<string, unknown>;
  const br = b as Record<string, unknown>;
  return ak.every((k) => Object.hasOwn(br, k) && sameValue(ar[k], br[k], tolerance));
}

export interface PlannedWrite {
  ops: JsonPatchOperation[];
  changed: string[];
  unchanged: string[];
}

export function planWrite(parent: Twin, derived: readonly DerivedValue[], tolerance: number): PlannedWrite {
  const ops: JsonPatchOperation[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const d of derived) {
    const has = Object.hasOwn(parent, d.property);
    const path = `/${pointer(d.property)}`;
    if (d.value === undefined) {
      if (has) {
        ops.push({ op: 'remove', path });
        changed.push(d.property);
      } else unchanged.push(d.property);
      continue;
    }
    if (has && sameValue(parent[d.property], d.value, tolerance)) {
      unchanged.push(d.property);
      continue;
    }
    // add is an upsert in ADT, so the same op works whether or not the parent has the property yet.
    ops.push({ op: 'add', path, value: d.value });
    if (d.sourceTime !== undefined) ops.push({ op: 'add', path: `/$metadata${path}/sourceTime`, value: d.sourceTime });
    changed.push(d.property);
  }
  return { ops, changed, unchanged };
}
