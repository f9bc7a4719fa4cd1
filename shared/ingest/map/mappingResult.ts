// What mapping one message decides: property updates and telemetry per twin, plus every value that
// was filtered (deliberately not applied) or rejected (to be dead-lettered), each with a reason code.

import type { DeadLetterReason, FilterReason, JsonObject, PropertyUpdate } from '../message';

export interface TelemetryItem {
  twinId: string;
  component?: string;
  payload: JsonObject;
  /** ADT Message-Id: the device message id, made unique per twin/component when one message fans out. */
  messageId: string;
  sourceTime: string;
  eventKey: string;
  rule: string;
}

export type { FilterReason } from '../message';

/** What mapping can refuse a value or a message for (a subset of the dead-letter reasons). */
export type RejectReason = Extract<
  DeadLetterReason,
  | 'twin-id-unresolved'
  | 'twin-not-found'
  | 'unknown-twin'
  | 'transform-failed'
  | 'out-of-range'
  | 'missing-value'
  | 'invalid-source-time'
  | 'future-source-time'
  | 'rule-condition-failed'
  | 'not-in-model'
  | 'schema-mismatch'
  | 'unknown-component'
  | 'fan-out-exceeded'
  | 'value-too-large'
  | 'too-many-properties'
  | 'prototype-key'
  | 'mapping-failed'
>;

export interface Filtered {
  reason: FilterReason;
  detail?: string;
  where?: string;
  twinId?: string;
}

export interface Rejected {
  reason: RejectReason;
  detail: string;
  where?: string;
  twinId?: string;
}

export interface MappingResult {
  eventKey: string;
  propertyUpdates: PropertyUpdate[];
  telemetry: TelemetryItem[];
  filtered: Filtered[];
  rejected: Rejected[];
  /** Source times too far ahead of the enqueued time that were replaced by it (futureSourceTime: clamp). */
  clampedSourceTimes: number;
}
