// The ingest path's unit of work for one twin: property updates already coalesced per twin.

export interface PropertyUpdate {
  /** Component name, or undefined for a property of the twin itself. */
  component?: string;
  /** Property name, followed by field names when only part of an Object property changes. */
  path: string[];
  value: unknown;
  /** Device time of the value (RFC 3339); stored as `$metadata/<property>/sourceTime`. */
  sourceTime: string;
  /** Every message whose value this update carries (after coalescing). */
  messageIds: string[];
}

/** `properties`: initial values of a created twin (ingest.unknownTwin.properties), validated by ADT. */
export type MissingTwinPolicy = { policy: 'deadLetter' } | { policy: 'create'; modelId: string; properties?: Record<string, unknown> };

export interface TwinUpdate {
  twinId: string;
  updates: PropertyUpdate[];
  ifMissing: MissingTwinPolicy;
  traceparent?: string;
}

export type UpdateRejectReason = 'unknown-twin' | 'unknown-property' | 'invalid-value' | 'model-unavailable' | 'adt-rejected';

export interface RejectedUpdate {
  update: PropertyUpdate;
  reason: UpdateRejectReason;
  detail: string;
}

export interface TwinUpdateResult {
  twinId: string;
  applied: PropertyUpdate[];
  /** Older than the sourceTime ADT already holds: skipped on purpose. */
  stale: PropertyUpdate[];
  rejected: RejectedUpdate[];
  created: boolean;
  /** PATCH requests that ADT accepted (1 normally; more only when a rejected value had to be isolated). */
  patches: number;
  /** JSON Patch operations in those requests. */
  operations: number;
}

export function describeUpdatePath(update: PropertyUpdate): string {
  return `/${[update.component, ...update.path].filter((s) => s !== undefined).join('/')}`;
}
