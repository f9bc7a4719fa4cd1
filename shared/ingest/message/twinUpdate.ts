// The write path's unit of work for one twin: its property updates, already coalesced, and what
// happened to each of them.

import type { PropertyUpdate } from './propertyUpdate';
import type { Refusal } from './refusal';
import type { SkippedReadingReason } from './statefulReading';

/** `properties`: initial values of a created twin (ingest.unknownTwin.properties), validated by ADT. */
export type MissingTwinPolicy = { policy: 'deadLetter' } | { policy: 'create'; modelId: string; properties?: Record<string, unknown> };

export interface TwinUpdate {
  twinId: string;
  updates: PropertyUpdate[];
  ifMissing: MissingTwinPolicy;
  traceparent?: string;
}

/** A refusal of one coalesced update; it speaks for every event the update carries. */
export interface RejectedUpdate extends Refusal {
  update: PropertyUpdate;
}

export interface TwinUpdateResult {
  twinId: string;
  applied: PropertyUpdate[];
  /** Older than the sourceTime ADT already holds: skipped on purpose. */
  stale: PropertyUpdate[];
  rejected: RejectedUpdate[];
  /** Not worth a write (equal, or within the deadband, heartbeat not due): filtered with this reason. */
  suppressed?: Array<{ update: PropertyUpdate; reason: 'unchanged' | 'within-deadband' }>;
  /** Readings of stateful targets that changed nothing (older than, or as old as, the stored state): filtered on their event. */
  skippedReadings?: Array<{ eventKey: string; reason: SkippedReadingReason }>;
  /** Applied updates written only because their maxAge heartbeat was due. */
  heartbeats?: number;
  created: boolean;
  /** PATCH requests that ADT accepted (1 normally; more only when a rejected value had to be isolated). */
  patches: number;
  /** JSON Patch operations in those requests. */
  operations: number;
}
