// The deferred-values document: the latest value of each property of the twins an invocation could
// not write within its write window, kept durably until the drainer writes them. One document per
// hash bucket of twin ids, so the store holds at most one entry per twin (bounded by the twin count,
// never by the offered load). Stored as lists, never as objects keyed by twin id or property, so no
// input-controlled key ever reaches a prototype.

import { compareSourceTimes } from '../../common';
import { describeUpdatePath, type MissingTwinPolicy, type PropertyUpdate, type TwinUpdate } from '../message';

export const deferredSchema = 'adt-ingest-deferred/1';

/** Message references kept per property: enough to find the events in a dead letter, bounded in size. */
export const maxRefsPerValue = 8;

export interface DeferredValue {
  component?: string;
  property: string;
  subPath?: string[];
  value: unknown;
  sourceTime: string;
  sequenceNumber?: number;
  rule: string;
  /** The events whose value this is (first) and those it superseded, at most maxRefsPerValue. */
  eventKeys: string[];
}

export interface DeferredTwin {
  twinId: string;
  /** When the twin's oldest pending value was first deferred (ISO 8601): the drainer serves the longest waiting first. */
  deferredAt: string;
  ifMissing: MissingTwinPolicy;
  traceparent?: string;
  values: DeferredValue[];
}

export interface DeferredBucket {
  schema: typeof deferredSchema;
  twins: DeferredTwin[];
}

export const emptyBucket = (): DeferredBucket => ({ schema: deferredSchema, twins: [] });

/** Positive when `a` should win over `b`: the newer sourceTime, then the later event (as coalescing decides). */
export function newerValue(
  a: Pick<DeferredValue, 'sourceTime' | 'sequenceNumber'>,
  b: Pick<DeferredValue, 'sourceTime' | 'sequenceNumber'>,
): number {
  return compareSourceTimes(a.sourceTime, b.sourceTime) || (a.sequenceNumber ?? -1) - (b.sequenceNumber ?? -1);
}

export const valueKey = (value: Pick<DeferredValue, 'component' | 'property' | 'subPath'>): string => describeUpdatePath(value);

/** A coalesced twin update as the store keeps it. */
export function deferredTwinOf(update: TwinUpdate, deferredAt: string): DeferredTwin {
  return {
    twinId: update.twinId,
    deferredAt,
    ifMissing: update.ifMissing,
    ...(update.traceparent !== undefined && { traceparent: update.traceparent }),
    values: update.updates.map(deferredValueOf),
  };
}

function deferredValueOf(update: PropertyUpdate): DeferredValue {
  return {
    ...(update.component !== undefined && { component: update.component }),
    property: update.property,
    ...(update.subPath !== undefined && { subPath: [...update.subPath] }),
    value: update.value,
    sourceTime: update.sourceTime,
    ...(update.sequenceNumber !== undefined && { sequenceNumber: update.sequenceNumber }),
    rule: update.rule,
    eventKeys: update.eventKeys.slice(0, maxRefsPerValue),
  };
}

/** The stored twin as the write path's unit of work (same writer, same guards as a batch's twin). */
export function twinUpdateOf(twin: DeferredTwin): TwinUpdate {
  return {
    twinId: twin.twinId,
    ifMissing: twin.ifMissing,
    ...(twin.traceparent !== undefined && { traceparent: twin.traceparent }),
    updates: twin.values.map((value) => ({
      twinId: twin.twinId,
      ...(value.component !== undefined && { component: value.component }),
      property: value.property,
      ...(value.subPath !== undefined && { subPath: value.subPath }),
      value: value.value,
      sourceTime: value.sourceTime,
      ...(value.sequenceNumber !== undefined && { sequenceNumber: value.sequenceNumber }),
      eventKeys: value.eventKeys.length > 0 ? value.eventKeys : [`deferred:${twin.twinId}`],
      rule: value.rule,
    })),
  };
}

/**
 * The merge rule: per property the newer value wins (sourceTime, then sequence number); an equal one
 * (a redelivered event) changes nothing. The twin keeps its earliest deferredAt (it has waited since
 * then) and takes the newest trace and missing-twin policy.
 */
export function mergeTwin(stored: DeferredTwin | undefined, incoming: DeferredTwin): DeferredTwin {
  if (!stored) return incoming;
  const values = new Map(stored.values.map((v) => [valueKey(v), v]));
  for (const value of incoming.values) {
    const key = valueKey(value);
    const current = values.get(key);
    if (!current || newerValue(value, current) > 0) values.set(key, value);
  }
  return {
    twinId: stored.twinId,
    deferredAt: stored.deferredAt < incoming.deferredAt ? stored.deferredAt : incoming.deferredAt,
    ifMissing: incoming.ifMissing,
    ...((incoming.traceparent ?? stored.traceparent) !== undefined && { traceparent: incoming.traceparent ?? stored.traceparent }),
    values: [...values.values()],
  };
}

/** Merges twins into a bucket; returns a new bucket (the stored one is left as read). */
export function mergeBucket(bucket: DeferredBucket, twins: readonly DeferredTwin[]): DeferredBucket {
  const byId = new Map(bucket.twins.map((t) => [t.twinId, t]));
  for (const twin of twins) byId.set(twin.twinId, mergeTwin(byId.get(twin.twinId), twin));
  return { schema: deferredSchema, twins: [...byId.values()] };
}

/**
 * Removes what the drainer wrote, but only values still exactly as it read them: a value replaced
 * meanwhile (a newer one deferred by another invocation) stays for the next drain.
 */
export function removeWritten(bucket: DeferredBucket, written: readonly DeferredTwin[]): DeferredBucket {
  const done = new Map(written.map((t) => [t.twinId, t]));
  const twins: DeferredTwin[] = [];
  for (const twin of bucket.twins) {
    const drained = done.get(twin.twinId);
    if (!drained) {
      twins.push(twin);
      continue;
    }
    const drainedValues = new Map(drained.values.map((v) => [valueKey(v), v]));
    const left = twin.values.filter((v) => {
      const was = drainedValues.get(valueKey(v));
      return !was || newerValue(v, was) !== 0 || JSON.stringify(v.value) !== JSON.stringify(was.value);
    });
    if (left.length > 0) twins.push({ ...twin, values: left });
  }
  return { schema: deferredSchema, twins };
}

/** FNV-1a over the twin id: a stable bucket for each twin across processes and restarts. */
export function bucketOf(twinId: string, buckets: number): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < twinId.length; i++) {
    hash ^= twinId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `bucket-${String(hash % buckets).padStart(4, '0')}.json`;
}

export class DeferredDocumentError extends Error {}

/** Parses a stored bucket, refusing anything that is not one (a clear error naming the document). */
export function parseDeferredBucket(name: string, text: string): DeferredBucket {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DeferredDocumentError(`Deferred-values document ${name} is not JSON: ${(error as Error).message}`);
  }
  const bucket = parsed as Partial<DeferredBucket> | null;
  if (typeof bucket !== 'object' || bucket === null || bucket.schema !== deferredSchema || !Array.isArray(bucket.twins)) {
    throw new DeferredDocumentError(`Deferred-values document ${name} is not a ${deferredSchema} document.`);
  }
  for (const twin of bucket.twins as unknown[]) {
    const t = twin as Partial<DeferredTwin> | null;
    const valid =
      typeof t === 'object' &&
      t !== null &&
      typeof t.twinId === 'string' &&
      typeof t.deferredAt === 'string' &&
      typeof t.ifMissing === 'object' &&
      t.ifMissing !== null &&
      Array.isArray(t.values) &&
      t.values.every(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          typeof v.property === 'string' &&
          typeof v.sourceTime === 'string' &&
          Array.isArray(v.eventKeys),
      );
    if (!valid) throw new DeferredDocumentError(`Deferred-values document ${name} holds a malformed twin entry.`);
  }
  return bucket as DeferredBucket;
}
