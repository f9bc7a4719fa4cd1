// The decoded form of one Event Hub event: what every later ingest step reads. Plain data only, so the
// mapping and coalescing steps stay pure and can be tested without the Functions host.

import type { MessageSource } from './messageSource';
import type { DeadLetterReason } from './reasons';
import type { EventRefusal } from './refusal';
export type JsonObject = Record<string, unknown>;

export interface DeviceMessage {
  /** Unique per event within a partition: the sequence number, or the batch index when the host sent none. */
  eventKey: string;
  deviceId: string;
  moduleId?: string;
  /** IoT Plug and Play component that sent the message (system property dt-subject). */
  component?: string;
  /** IoT Plug and Play model id of the device (system property dt-dataschema). */
  modelId?: string;
  /** When IoT Hub accepted the message; ISO 8601 UTC with `Z`. */
  enqueuedTime: string;
  sequenceNumber?: number;
  offset?: string;
  partitionKey?: string;
  messageId?: string;
  correlationId?: string;
  contentType?: string;
  contentEncoding?: string;
  /** W3C trace context carried by the device or IoT Hub, passed on to ADT calls (only when valid). */
  traceparent?: string;
  /** The device sent a traceparent that is not valid W3C trace context; it was not forwarded. */
  traceparentDropped?: true;
  /**
   * What IoT Hub says the event is (`iothub-message-source`, then `opType`); absent for telemetry, so
   * the telemetry path reads nothing new. Read it through `sourceOf`.
   */
  source?: MessageSource;
  /** Application properties exactly as the Functions library delivered them. */
  properties: JsonObject;
  systemProperties: JsonObject;
  body: JsonObject;
  /**
   * JSON Pointers of the keys `__proto__`, `constructor` and `prototype` decoding removed from the body
   * (`/a/__proto__`) and the application properties (`$properties/__proto__`); mapping reports them
   * as filtered `prototype-key`.
   */
  prototypeKeys?: string[];
}

/** Why an event could not be turned into a DeviceMessage; each code is a dead-letter reason. */
export type DecodeFailureReason = Extract<
  DeadLetterReason,
  | 'empty-body'
  | 'invalid-json'
  | 'body-not-object'
  | 'unsupported-body-type'
  | 'unsupported-encoding'
  | 'decompress-failed'
  | 'invalid-encoding'
  | 'lossy-string-binding'
  | 'too-large'
  | 'too-deep'
  | 'missing-device-id'
  | 'missing-enqueued-time'
>;

/** An event decoding refused: the refusal shape every stage uses, plus the ids it could still read. */
export interface DecodeFailure extends EventRefusal {
  ok: false;
  reason: DecodeFailureReason;
  deviceId?: string;
  messageId?: string;
}

export type DecodeResult = { ok: true; message: DeviceMessage } | DecodeFailure;

/** One event as handed over by the trigger: the body element plus its slice of triggerMetadata. */
export interface RawEvent {
  body: unknown;
  /** Position in the batch; used as the event key when there is no sequence number. */
  index: number;
  properties?: unknown;
  systemProperties?: unknown;
  enqueuedTimeUtc?: unknown;
  sequenceNumber?: unknown;
  offset?: unknown;
  partitionKey?: unknown;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}
