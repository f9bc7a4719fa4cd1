// Folds a batch's property updates to one update per twin property: the newest value wins
// (sourceTime, then sequence number) and carries the event keys of the values it superseded, so
// the ledger accounts for every message. A stateful target (integrate, counter, …) keeps every
// reading instead: the writer folds them all, in sourceTime order. Stale checks against what the twin stores happen at write
// time (twinWriter), against the freshest copy.

import { compareSourceTimes } from '../../common';
import { describeUpdatePath, type PropertyUpdate, type Reading } from '../message';

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
  // IoT Hub's own order (a connection event's sequence number) decides when both carry one.
  if (a.order !== undefined && b.order !== undefined) return a.order.key < b.order.key ? -1 : a.order.key > b.order.key ? 1 : 0;
  return compareSourceTimes(a.sourceTime, b.sourceTime) || (a.sequenceNumber ?? -1) - (b.sequenceNumber ?? -1);
}

/** One property of one twin: the newest value so far and the event keys of those it replaced. */
interface Slot {
  key: string;
  winner: PropertyUpdate;
  superseded?: string[];
  /** A stateful target's readings: every one counts (folded by the writer), none is superseded. */
  readings?: Reading[];
}

/** A twin's slots; a twin has a handful of properties, so a list is searched until it is long. */
interface TwinSlots {
  twinId: string;
  slots: Slot[];
  index?: Map<string, Slot>;
}

const listedSlots = 16;

function slotOf(twin: TwinSlots, key: string): Slot | undefined {
  if (twin.index) return twin.index.get(key);
  for (const slot of twin.slots) if (slot.key === key) return slot;
  return undefined;
}

function addSlot(twin: TwinSlots, slot: Slot): void {
  twin.slots.push(slot);
  if (twin.index) twin.index.set(slot.key, slot);
  else if (twin.slots.length > listedSlots) twin.index = new Map(twin.slots.map((s) => [s.key, s]));
}

export function coalesce(updates: readonly PropertyUpdate[]): CoalesceResult {
  const byTwin = new Map<string, TwinSlots>();
  const losers: PropertyUpdate[] = [];
  for (const update of updates) {
    let twin = byTwin.get(update.twinId);
    if (!twin) byTwin.set(update.twinId, (twin = { twinId: update.twinId, slots: [] }));
    const key = slotKey(update);
    const slot = slotOf(twin, key);
    if (!slot) {
      addSlot(twin, { key, winner: update });
      continue;
    }
    // Appending keeps this linear: the loser's keys join the list once, never copied per loser.
    slot.superseded ??= [];
    if (update.stateful !== undefined && slot.winner.stateful !== undefined) {
      (slot.readings ??= [...slot.winner.stateful.readings]).push(...update.stateful.readings);
      const older = newer(update, slot.winner) > 0 ? slot.winner : update;
      if (older === slot.winner) slot.winner = update;
      slot.superseded.push(...older.eventKeys);
      continue;
    }
    // A stateful target's readings are never dropped for a plain value of the same property (two rules
    // writing it): the stateful update stays, the plain value is superseded whatever its time.
    const statefulFirst = update.stateful !== undefined ? 1 : slot.winner.stateful !== undefined ? -1 : 0;
    if (statefulFirst > 0 || (statefulFirst === 0 && newer(update, slot.winner) > 0)) {
      slot.superseded.push(...slot.winner.eventKeys);
      losers.push(slot.winner);
      slot.winner = update;
    } else {
      slot.superseded.push(...update.eventKeys);
      losers.push(update);
    }
  }
  const twins: CoalescedTwin[] = [];
  for (const { twinId, slots } of byTwin.values()) {
    const winners: PropertyUpdate[] = [];
    for (const { winner, superseded, readings } of slots) {
      if (superseded === undefined) winners.push(winner);
      else {
        const merged: PropertyUpdate = { ...winner, eventKeys: unique([...winner.eventKeys, ...superseded]) };
        if (readings !== undefined && winner.stateful !== undefined) merged.stateful = { transform: winner.stateful.transform, readings };
        winners.push(merged);
      }
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
  if (update.component === undefined && update.subPath === undefined && update.property.charCodeAt(0) !== 47 /* / */)
    return update.property;
  return describeUpdatePath(update);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
