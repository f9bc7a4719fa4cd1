// The contract between mapping/coalescing (pure) and processBatch (I/O): what to write to ADT for a
// batch, and what happened to every message that produced nothing to write.

import type { CallContext } from '../adt/gateway';
import type { TelemetryMessage } from '../adt/types';
import type { TwinUpdate } from '../adt/twinUpdate';
import type { DeviceMessage } from './deviceMessage';

/** Telemetry for one message to one twin (or component). */
export interface PlannedTelemetry extends Omit<TelemetryMessage, 'messageId'> {
  /** Deterministic ADT Message-Id; when absent processBatch derives one from the event. */
  messageId?: string;
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

/** `ctx` bounds the ADT look-ups planning may make (twin id queries, twin models) by the batch deadline. */
export type IngestPlanner = (messages: DeviceMessage[], ctx: CallContext) => IngestPlan | Promise<IngestPlan>;
