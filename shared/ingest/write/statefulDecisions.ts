// The twin writer's two hooks for stateful targets, kept here so the writer stays about guards and
// patches: turning a stateful update into its folded writes against one copy of the twin, and, after a
// 412, handing the writer the ORIGINAL stateful updates again (not the writes folded from the old copy),
// so the total is re-folded from the fresh state.

import type { Twin } from '../../adt';
import type { PropertyUpdate, StatefulStep, TwinUpdateResult } from '../message';
import { statefulWrites } from './statefulWrites';

/** Each folded write → the stateful update it was folded from. */
const foldedFrom = new WeakMap<PropertyUpdate, PropertyUpdate>();

/**
 * For a stateful update: adds its folded writes to `candidates`, notes its skipped readings, and
 * returns true. `trustedUntil` (ms): a stored sourceTime after it came from a clock far ahead.
 */
export function statefulCandidates(
  update: PropertyUpdate,
  twin: Twin,
  result: TwinUpdateResult,
  candidates: PropertyUpdate[],
  trustedUntil: number,
): boolean {
  if (update.stateful === undefined) return false;
  const { writes, skipped } = statefulWrites(update as PropertyUpdate & { stateful: StatefulStep }, twin, trustedUntil);
  if (skipped.length > 0) (result.skippedReadings ??= []).push(...skipped);
  for (const write of writes) {
    foldedFrom.set(write, update);
    candidates.push(write);
  }
  return true;
}

/**
 * The updates to decide again after a 412: folded writes are replaced by their stateful update (once),
 * and that update's skipped readings are forgotten (the re-fold decides them again). A stateful update
 * whose readings were all skipped is not re-decided: another writer only moves the state's time
 * forward, so a reading skipped against the old copy is skipped against the fresh one too.
 */
export function refoldAfterConflict(updates: readonly PropertyUpdate[], result: TwinUpdateResult): PropertyUpdate[] {
  const decided: PropertyUpdate[] = [];
  const seen = new Set<PropertyUpdate>();
  for (const update of updates) {
    const original = foldedFrom.get(update) ?? update;
    if (seen.has(original)) continue;
    seen.add(original);
    decided.push(original);
  }
  const refolded = new Set(decided.flatMap((u) => u.stateful?.readings.map((r) => r.eventKey) ?? []));
  if (refolded.size > 0 && result.skippedReadings) {
    result.skippedReadings = result.skippedReadings.filter((s) => !refolded.has(s.eventKey));
    if (result.skippedReadings.length === 0) delete result.skippedReadings;
  }
  return decided;
}

/** The updates in the groups the writer isolates a refused patch by: one stateful update's writes together, any other alone. */
export function isolationGroups(updates: readonly PropertyUpdate[]): PropertyUpdate[][] {
  const groups: PropertyUpdate[][] = [];
  const byOrigin = new Map<PropertyUpdate, PropertyUpdate[]>();
  for (const update of updates) {
    const origin = foldedFrom.get(update);
    const group = origin === undefined ? undefined : byOrigin.get(origin);
    if (group) group.push(update);
    else {
      const created = [update];
      if (origin !== undefined) byOrigin.set(origin, created);
      groups.push(created);
    }
  }
  return groups;
}
