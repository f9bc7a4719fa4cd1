// Write only what matters: whether a reading is worth a PATCH, decided against what ADT stores for
// the property (the gateway's copy of the twin: its value and `$metadata/<prop>/sourceTime`).
// Equal values never cost a write (deep equality for objects, zero configuration); a numeric value
// within the property's deadband of the stored one is suppressed too, unless the stored sourceTime
// is maxAge or more older than the reading (a heartbeat). A suppressed reading sends nothing, so its
// sourceTime is not written: `$metadata.<prop>.sourceTime` is the time of the reading that last
// changed the value beyond the deadband, or of the last heartbeat.

import type { CompiledIngest, Deadband } from '../config';
import type { PropertyUpdate } from '../message';

/** How much a property's value must change to be written, and how old its stored sourceTime may grow. */
export interface WriteSignificance {
  deadband?: Deadband;
  /** An unchanged reading is written anyway when the stored sourceTime is more than this much older than it. */
  maxAgeMs?: number;
}

export type SuppressReason = 'unchanged' | 'within-deadband';

export type WriteDecision = { write: true; heartbeat: boolean } | { write: false; reason: SuppressReason };

/** What the twin copy says about the property: `known` false when the copy does not hold its value. */
export interface StoredProperty {
  known: boolean;
  value?: unknown;
  sourceTime?: string;
}

const write: WriteDecision = { write: true, heartbeat: false };

/**
 * The twin already holds exactly this reading — its value and its sourceTime (a redelivered batch, a
 * device re-sending): the reading is applied, and writing it again would change nothing.
 */
export function alreadyStored(update: Pick<PropertyUpdate, 'value' | 'sourceTime'>, stored: StoredProperty): boolean {
  return (
    stored.known &&
    stored.sourceTime !== undefined &&
    Date.parse(stored.sourceTime) === Date.parse(update.sourceTime) &&
    sameJson(update.value, stored.value)
  );
}

/**
 * The decision for one reading that already passed the out-of-order guard. A property whose value
 * the copy does not hold (never written, or a guard copy that dropped it) is always written.
 */
export function decideWrite(
  update: Pick<PropertyUpdate, 'value' | 'sourceTime'>,
  stored: StoredProperty,
  significance: WriteSignificance = {},
): WriteDecision {
  if (!stored.known) return write;
  const reason: SuppressReason | undefined = sameJson(update.value, stored.value)
    ? 'unchanged'
    : withinDeadband(update.value, stored.value, significance.deadband)
      ? 'within-deadband'
      : undefined;
  if (reason === undefined) return write;
  if (significance.maxAgeMs !== undefined && heartbeatDue(update.sourceTime, stored.sourceTime, significance.maxAgeMs))
    return { write: true, heartbeat: true };
  return { write: false, reason };
}

/**
 * Due when the stored sourceTime is OLDER than maxAge at the reading's time (strictly: a reading
 * exactly maxAge later is still suppressed, so the stored sourceTime never trails the newest reading
 * by more than maxAge). No stored sourceTime (emitSourceTime off) cannot prove the value is recent: due.
 */
function heartbeatDue(readingTime: string, storedTime: string | undefined, maxAgeMs: number): boolean {
  if (storedTime === undefined) return true;
  const age = Date.parse(readingTime) - Date.parse(storedTime);
  return !(age <= maxAgeMs);
}

const roundingSlack = 1e-9;

/** The band is the larger of `absolute` and `relative` × |stored|: a change must exceed both to be written. */
export function withinDeadband(value: unknown, stored: unknown, deadband: Deadband | undefined): boolean {
  if (deadband === undefined || typeof value !== 'number' || typeof stored !== 'number') return false;
  if (!Number.isFinite(value) || !Number.isFinite(stored)) return false;
  const band = Math.max(deadband.absolute ?? 0, (deadband.relative ?? 0) * Math.abs(stored));
  // Decimal readings are not exact in binary (19.9 − 20 is 0.10000000000000142): a change of
  // exactly the band, as the device wrote it, is within it.
  return Math.abs(value - stored) <= band + roundingSlack * Math.max(1, Math.abs(stored));
}

/** Deep equality of JSON values (key order does not matter). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && sameJson(left[key], right[key]));
}

/** A property's significance: the rule's property mapping where it sets one, else ingest.options. */
export type SignificanceOf = (update: Pick<PropertyUpdate, 'rule' | 'component' | 'property'>) => WriteSignificance;

export function significanceResolver(ingest: Pick<CompiledIngest, 'options' | 'rules'>): SignificanceOf {
  const defaults = pick(ingest.options.deadband, ingest.options.maxAgeSeconds);
  const byTarget = new Map<string, WriteSignificance>();
  for (const rule of ingest.rules) {
    for (const mapping of rule.properties) {
      if (mapping.deadband === undefined && mapping.maxAgeSeconds === undefined) continue;
      const key = targetKey(rule.name, mapping.target.component, mapping.target.property);
      if (!byTarget.has(key))
        byTarget.set(key, pick(mapping.deadband ?? defaults.deadband, mapping.maxAgeSeconds ?? ingest.options.maxAgeSeconds));
    }
  }
  if (byTarget.size === 0) return () => defaults;
  return (update) => byTarget.get(targetKey(update.rule, update.component, update.property)) ?? defaults;
}

function pick(deadband: Deadband | undefined, maxAgeSeconds: number | undefined): WriteSignificance {
  return { ...(deadband !== undefined && { deadband }), ...(maxAgeSeconds !== undefined && { maxAgeMs: maxAgeSeconds * 1000 }) };
}

function targetKey(rule: string, component: string | undefined, property: string): string {
  return `${rule}\u0000${component ?? ''}\u0000${property}`;
}
