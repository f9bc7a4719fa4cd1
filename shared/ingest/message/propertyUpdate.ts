// The one unit of a twin write, from mapping to the gateway: one value for one twin property. Mapping
// makes one per message value (one event key); coalescing keeps the newest per property and adds the
// event keys of the values it superseded, so the ledger can account for every message it carries.

import { toPointer } from '../../common';
import type { StatefulStep } from './statefulReading';

export interface PropertyUpdate {
  twinId: string;
  /** Component name, or undefined for a property of the twin itself. */
  component?: string;
  /** Property name (inside the component when one is set). */
  property: string;
  /** Below the property: a Map key or Object field names, when only that part changes. */
  subPath?: readonly string[];
  value: unknown;
  /** ISO 8601 UTC; orders updates and is written as `$metadata/<property>/sourceTime`. */
  sourceTime: string;
  /** Tie-breaker for equal sourceTimes: the later event wins. */
  sequenceNumber?: number;
  /**
   * An order IoT Hub gives instead of time (a connection event's sequenceNumber): it decides over
   * sourceTime, in the batch and against the twin (see EventOrder).
   */
  order?: EventOrder;
  /** Every event whose value this update carries: the first is the one whose value it is. */
  eventKeys: string[];
  /** Rule name, or `(model)` for the model-driven default. */
  rule: string;
  /** A stateful transform's target: `value` is the newest reading; the writer folds every reading over the stored state. */
  stateful?: StatefulStep;
}

/** The JSON Pointer segments of an update's value inside the twin document. */
export function valueSegments(update: Pick<PropertyUpdate, 'component' | 'property' | 'subPath'>): string[] {
  const segments = update.component === undefined ? [update.property] : [update.component, update.property];
  if (update.subPath) segments.push(...update.subPath);
  return segments;
}

/** `/component/property/sub` as a JSON Pointer; also the key that groups updates of one value. */
export function describeUpdatePath(update: Pick<PropertyUpdate, 'component' | 'property' | 'subPath'>): string {
  return toPointer(valueSegments(update));
}

/**
 * IoT Hub's own order for a kind of event: `key` compares as text (normalised to one length), and the
 * last applied key is kept in the twin at `component/property` (a companion property), so the guard
 * holds across instances and redelivery: the writer reads it from its copy and patches with If-Match.
 */
export interface EventOrder {
  key: string;
  /** Where the twin keeps the last applied key; absent: the twin keeps none (sourceTime guards). */
  stored?: { component?: string; property: string };
}
