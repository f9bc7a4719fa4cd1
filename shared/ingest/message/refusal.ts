// The one shape of a refusal, from decoding to the ledger: why a message, or one value or telemetry
// item of it, is not applied and is dead-lettered. Every stage refuses with it (decode failures,
// mapping, the writer, telemetry); the batch turns each into a ledger mark and a dead-letter part.

import type { DeadLetterReason } from './reasons';

export interface Refusal {
  reason: DeadLetterReason;
  /** What was wrong, for a person: what the value was checked against, or ADT's answer. */
  detail: string;
  /** The configuration step that refused, e.g. `ingest.rules[0].properties[1]`. */
  where?: string;
  /** The twin the refused value or telemetry was for. */
  twinId?: string;
  /** The value's JSON Pointer in the twin (`/sensor/battery`), or `(telemetry)`. */
  path?: string;
  /** The refused value itself, when there is one. */
  value?: unknown;
}

/** A refusal of (part of) one event of the batch. */
export interface EventRefusal extends Refusal {
  eventKey: string;
}
