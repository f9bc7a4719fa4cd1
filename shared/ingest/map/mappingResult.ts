// What a mapper is and what it returns: for one message, property updates and telemetry per twin, plus
// every value that was filtered (deliberately not applied) or refused (to be dead-lettered), each with
// a reason code — as Eclipse Ditto's payload mappers do it, `map(message) → result`.

import type { TwinIdStrategy } from '../config';
import type { FilterReason, JsonObject, LifecycleAction, PropertyUpdate, Refusal } from '../message';
import type { Lookups, PreparedMessage } from './lookups';

export interface Mapper {
  /** The twin-id strategies this mapper needs for the message, or undefined when it does not claim it. */
  claims(prepared: PreparedMessage): readonly TwinIdStrategy[] | undefined;
  /** Maps a message it claimed; what it looks up is in `lookups`, answered. */
  map(prepared: PreparedMessage, lookups: Lookups): MappingResult;
}

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
  /** Twins a device lifecycle event creates or retires (map/lifecycleMapper). */
  lifecycle?: LifecycleAction[];
}
