// Which twins of a batch are written now when not all fit in the write window: the most valuable
// first. Value = how many properties differ from what ADT holds (the gateway's copy; a twin it does
// not know counts every property as changed), then how far the largest number moved (relative), then
// the freshest sourceTime. The rest are deferred, never dropped.

import type { Twin } from '../../adt';
import { compareSourceTimes, latestSourceTime } from '../../common';
import { type TwinUpdate, valueSegments } from '../message';

export interface ChangeScore {
  changed: number;
  /** Largest relative change of a numeric value (1 for a value ADT does not hold). */
  magnitude: number;
  freshest: string;
}

function storedValue(twin: Twin, segments: readonly string[]): { found: boolean; value: unknown } {
  let node: unknown = twin;
  for (const segment of segments) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, segment))
      return { found: false, value: undefined };
    node = (node as Record<string, unknown>)[segment];
  }
  return { found: true, value: node };
}

export function changeScore(update: TwinUpdate, stored: Twin | undefined): ChangeScore {
  let changed = 0;
  let magnitude = 0;
  for (const value of update.updates) {
    const held = stored ? storedValue(stored, valueSegments(value)) : { found: false, value: undefined };
    if (!held.found) {
      changed += 1;
      magnitude = Math.max(magnitude, 1);
      continue;
    }
    if (typeof value.value === 'number' && typeof held.value === 'number') {
      if (value.value !== held.value) {
        changed += 1;
        magnitude = Math.max(magnitude, Math.abs(value.value - held.value) / Math.max(Math.abs(held.value), Number.EPSILON));
      }
    } else if (JSON.stringify(value.value) !== JSON.stringify(held.value)) {
      changed += 1;
      magnitude = Math.max(magnitude, 1);
    }
  }
  return { changed, magnitude, freshest: latestSourceTime(update.updates.map((u) => u.sourceTime)) ?? '' };
}

/** Most valuable first (see the file comment); ties keep the batch's order. */
export function byValue(updates: readonly TwinUpdate[], storedOf: (twinId: string) => Twin | undefined): TwinUpdate[] {
  const scored = updates.map((update, position) => ({ update, position, score: changeScore(update, storedOf(update.twinId)) }));
  scored.sort(
    (a, b) =>
      b.score.changed - a.score.changed ||
      b.score.magnitude - a.score.magnitude ||
      compareSourceTimes(b.score.freshest, a.score.freshest) ||
      a.position - b.position,
  );
  return scored.map((s) => s.update);
}

/** The twins to write now (at most `capacity`, most valuable first) and those to defer. */
export function chooseWriteNow(
  updates: readonly TwinUpdate[],
  capacity: number,
  storedOf: (twinId: string) => Twin | undefined,
): { now: TwinUpdate[]; later: TwinUpdate[] } {
  if (updates.length <= capacity) return { now: [...updates], later: [] };
  const ordered = byValue(updates, storedOf);
  const cut = Math.max(0, Math.floor(capacity));
  return { now: ordered.slice(0, cut), later: ordered.slice(cut) };
}
