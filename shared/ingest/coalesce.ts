// Folds a batch's property updates to one update per twin property: the newest value wins
// (sourceTime, then sequence number) and carries the event keys of the values it superseded, so
// the ledger accounts for every message. Stale checks against what the twin stores happen at write
// time (twinWriter), against the freshest copy.

import { compareSourceTimes } from '../common';
import { describeUpdatePath, type PropertyUpdate } from './propertyUpdate';

export interface CoalescedTwin {
  twinId: string;
  /** The winning update per property, in first-seen order; eventKeys = winner's first, then the superseded. */
  updates: PropertyUpdate[];
}

export interface CoalesceResult {
  /** One entry per twin, in first-seen order. */
  twins: CoalescedTwin[];
  /** Values replaced by a newer value for the same property. */
  coalesced: number;
  /** Those values themselves: a dead letter for one of them carries its own value. */
  superseded: PropertyUpdate[];
}

/** Positive when `a` should win over `b`. */
function newer(a: PropertyUpdate, b: PropertyUpdate): number {
  return compareSourceTimes(a.sourceTime, b.sourceTime) || (a.sequenceNumber ?? -1) - (b.sequenceNumber ?? -1);
}

export function coalesce(updates: readonly PropertyUpdate[]): CoalesceResult {
  const byTwin = new Map<string, Map<string, { winner: PropertyUpdate; superseded: string[] }>>();
  const losers: PropertyUpdate[] = [];
  for (const update of updates) {
    let properties = byTwin.get(update.twinId);
    if (!properties) byTwin.set(update.twinId, (properties = new Map()));
    const key = slotKey(update);
    const slot = properties.get(key);
    if (!slot) {
      properties.set(key, { winner: update, superseded: [] });
      continue;
    }
    // Appending keeps this linear: the loser's keys join the list once, never copied per loser.
    if (newer(update, slot.winner) > 0) {
      slot.superseded.push(...slot.winner.eventKeys);
      losers.push(slot.winner);
      slot.winner = update;
    } else {
      slot.superseded.push(...update.eventKeys);
      losers.push(update);
    }
  }
  const twins: CoalescedTwin[] = [];
  for (const [twinId, properties] of byTwin) {
    const winners: PropertyUpdate[] = [];
    for (const { winner, superseded } of properties.values()) {
      winners.push(superseded.length === 0 ? winner : { ...winner, eventKeys: unique([...winner.eventKeys, ...superseded]) });
    }
    twins.push({ twinId, updates: winners });
  }
  return { twins, coalesced: losers.length, superseded: losers };
}

/**
 * The property an update writes, as a map key: a plain top-level property is its own name (no JSON
 * Pointer to build), anything else its pointer. A pointer starts with "/", so the two never collide.
 */
function slotKey(update: PropertyUpdate): string {
  if (update.component === undefined && update.subPath === undefined && update.property.charCodeAt(0) !== 47 /* / */) return update.property;
  return describeUpdatePath(update);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
