// The contract between mapping/coalescing (pure) and processBatch (I/O): what to write to ADT for a
// batch, and what happened to every message that produced nothing to write.

import type { TelemetryMessage } from '../adt/types';
import type { TwinUpdate } from '../adt/twinUpdate';
import type { DeviceMessage } from './deviceMessage';

/** Telemetry for one message; processBatch assigns the deterministic ADT message id. */
export interface PlannedTelemetry extends Omit<TelemetryMessage, 'messageId'> {
  eventKey: string;
  traceparent?: string;
}

export interface IngestPlan {
  /** One entry per twin; PropertyUpdate.messageIds hold event keys. */
  twinUpdates: TwinUpdate[];
  telemetry: PlannedTelemetry[];
  /** Messages deliberately ignored (no mapping matched, filtered by a rule). */
  filtered: Array<{ eventKey: string; reason: string }>;
  /** Messages that cannot be mapped (bad value for a transform, missing twin id…): dead-lettered. */
  rejected: Array<{ eventKey: string; reason: string; detail: string }>;
  /** Property values superseded by a later value for the same twin property within the batch. */
  coalescedValues: number;
}

export type IngestPlanner = (messages: DeviceMessage[]) => IngestPlan | Promise<IngestPlan>;
