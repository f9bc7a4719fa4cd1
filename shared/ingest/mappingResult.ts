// What mapping one message decides: property updates and telemetry per twin, plus every value that
// was filtered (deliberately not applied) or rejected (to be dead-lettered), each with a reason code.

import type { JsonObject } from './deviceMessage';
import type { PropertyUpdate } from './propertyUpdate';
import type { TwinIdRequest } from './twinTargets';

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

export type FilterReason = 'missing-value' | 'out-of-range' | 'no-matching-rule' | 'model-unknown' | 'unmodeled-field' | 'stale';

export type RejectReason =
  | 'twin-id-unresolved'
  | 'twin-not-found'
  /** The addressed twin does not exist in ADT and the unknown-twin policy is dead-letter. */
  | 'unknown-twin'
  | 'transform-failed'
  | 'out-of-range'
  | 'missing-value'
  | 'invalid-source-time'
  | 'rule-condition-failed'
  | 'not-in-model'
  | 'schema-mismatch'
  | 'unknown-component'
  | 'fan-out-exceeded';

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
  /** The twin id requests made for this message (for logs and dead-letter records). */
  twinRequests: TwinIdRequest[];
  propertyUpdates: PropertyUpdate[];
  telemetry: TelemetryItem[];
  filtered: Filtered[];
  rejected: Rejected[];
}
