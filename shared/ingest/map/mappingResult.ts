// What mapping one message decides: property updates and telemetry per twin, plus every value that
// was filtered (deliberately not applied) or refused (to be dead-lettered), each with a reason code.

import type { FilterReason, JsonObject, PropertyUpdate, Refusal } from '../message';

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

export interface Filtered {
  reason: FilterReason;
  detail?: string;
  where?: string;
  twinId?: string;
}

export interface MappingResult {
  eventKey: string;
  propertyUpdates: PropertyUpdate[];
  telemetry: TelemetryItem[];
  filtered: Filtered[];
  rejected: Refusal[];
  /** Source times too far ahead of the enqueued time that were replaced by it (futureSourceTime: clamp). */
  clampedSourceTimes: number;
}
