// Decodes one raw event (body + its triggerMetadata slice) into a DeviceMessage. Never throws for bad
// input: every failure comes back as a reason code the dead-letter sink records. This runs for every
// message, so the system properties are read in one pass over their keys and nothing allocates a
// closure or a spread.

import {
  asBag,
  type DecodeFailure,
  type DecodeFailureReason,
  type DecodeResult,
  type DeviceMessage,
  hasEntries,
  type JsonObject,
  lookupProperty,
  PropertySlots,
  prototypeKeyIn,
  type RawEvent,
  withoutPrototypeKeys,
} from '../message';
import { classify, wrapPatchBody } from './classify';
import { type BodyHints, type BodyLimits, decodeBody } from './decodeBody';
import { validTraceparent } from './headerSafety';
import { normalizeOffset, normalizeSequenceNumber, normalizeTimestamp, optionalString } from './normalize';

export interface DecodeOptions {
  /** Application properties that carry the device id when IoT Hub did not stamp one (custom producers). */
  deviceIdProperties: readonly string[];
  moduleIdProperties: readonly string[];
  /** Size and depth bounds of a body (ingest.options.maxDecodedBytes, maxBodyDepth). */
  limits?: BodyLimits;
}

export const defaultDecodeOptions: DecodeOptions = {
  deviceIdProperties: ['deviceId'],
  moduleIdProperties: ['moduleId'],
};

/** Every system property decoding reads (AMQP names, and the host's camel-cased aliases). */
const system = new PropertySlots([
  'x-opt-sequence-number',
  'sequenceNumber',
  'message-id',
  'messageId',
  'iothub-connection-device-id',
  'iothub-connection-module-id',
  'iothub-enqueuedtime',
  'x-opt-enqueued-time',
  'enqueuedTimeUtc',
  'content-type',
  'contentType',
  'content-encoding',
  'contentEncoding',
  'traceparent',
  'dt-subject',
  'dt-dataschema',
  'x-opt-offset',
  'offsetString',
  'offset',
  'x-opt-partition-key',
  'partitionKey',
  'correlation-id',
  'correlationId',
  'iothub-message-source',
]);
const slot = system.slot;

function fromProperties(bag: JsonObject, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = optionalString(lookupProperty(bag, name));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A system property as text, else its alias's. */
function textAt(sys: readonly unknown[], index: number, alias?: number): string | undefined {
  return optionalString(sys[index]) ?? (alias === undefined ? undefined : optionalString(sys[alias]));
}

function fail(
  reason: DecodeFailureReason,
  detail: string,
  eventKey: string,
  deviceId: string | undefined,
  messageId: string | undefined,
): DecodeResult {
  const failure: DecodeFailure = { ok: false, reason, detail, eventKey };
  if (deviceId !== undefined) failure.deviceId = deviceId;
  if (messageId !== undefined) failure.messageId = messageId;
  return failure;
}

export function decodeEvent(raw: RawEvent, options: DecodeOptions = defaultDecodeOptions): DecodeResult {
  let properties = asBag(raw.properties);
  let prototypeKeys: string[] | undefined;
  if (hasEntries(properties) && prototypeKeyIn(properties) !== undefined) {
    const removed: string[] = [];
    properties = withoutPrototypeKeys(properties, removed) as JsonObject;
    prototypeKeys = removed.map((pointer) => `$properties${pointer}`);
  }
  const systemProperties = asBag(raw.systemProperties);
  const sys = system.read(systemProperties);
  const withProperties = hasEntries(properties);

  const sequenceNumber =
    normalizeSequenceNumber(raw.sequenceNumber) ??
    normalizeSequenceNumber(sys[slot['x-opt-sequence-number']]) ??
    normalizeSequenceNumber(sys[slot.sequenceNumber]);
  const eventKey = sequenceNumber !== undefined ? `seq:${sequenceNumber}` : `idx:${raw.index}`;
  const messageId = textAt(sys, slot['message-id'], slot.messageId);
  const deviceId =
    textAt(sys, slot['iothub-connection-device-id']) ??
    (withProperties ? fromProperties(properties, options.deviceIdProperties) : undefined);

  if (deviceId === undefined) {
    const tried = ['iothub-connection-device-id (system)', ...options.deviceIdProperties.map((p) => `${p} (application)`)];
    return fail(
      'missing-device-id',
      `No device id found; looked at ${tried.join(', ')}. Custom producers must set one of the application properties listed in ingest.options.deviceIdProperties.`,
      eventKey,
      deviceId,
      messageId,
    );
  }
  // iothub-enqueuedtime carries a zone; the host's EnqueuedTimeUtc does not (normalised anyway).
  const enqueuedTime =
    normalizeTimestamp(sys[slot['iothub-enqueuedtime']]) ??
    normalizeTimestamp(raw.enqueuedTimeUtc) ??
    normalizeTimestamp(sys[slot['x-opt-enqueued-time']]) ??
    normalizeTimestamp(sys[slot.enqueuedTimeUtc]);
  if (enqueuedTime === undefined) {
    return fail(
      'missing-enqueued-time',
      'The event carries no readable enqueued time (iothub-enqueuedtime, EnqueuedTimeUtc or x-opt-enqueued-time).',
      eventKey,
      deviceId,
      messageId,
    );
  }

  const contentType = textAt(sys, slot['content-type'], slot.contentType);
  const contentEncoding = textAt(sys, slot['content-encoding'], slot.contentEncoding);
  const hints: BodyHints = {};
  if (contentType !== undefined) hints.contentType = contentType;
  if (contentEncoding !== undefined) hints.contentEncoding = contentEncoding;
  const source = classify(sys[slot['iothub-message-source']], properties);
  const decoded = decodeBody(source?.kind === 'digitalTwinChangeEvents' ? wrapPatchBody(raw.body) : raw.body, hints, options.limits);
  if (!decoded.ok) return fail(decoded.reason, decoded.detail, eventKey, deviceId, messageId);

  const carriedTraceparent =
    (withProperties ? optionalString(lookupProperty(properties, 'traceparent')) : undefined) ?? textAt(sys, slot.traceparent);
  const message: DeviceMessage = { eventKey, deviceId, enqueuedTime, properties, systemProperties, body: decoded.body };
  if (source !== undefined) message.source = source;
  if (decoded.prototypeKeys !== undefined) prototypeKeys = [...decoded.prototypeKeys, ...(prototypeKeys ?? [])];
  if (prototypeKeys !== undefined) message.prototypeKeys = prototypeKeys;
  // Assigned one by one: absent fields stay absent (not undefined-valued).
  const moduleId =
    textAt(sys, slot['iothub-connection-module-id']) ??
    (withProperties ? fromProperties(properties, options.moduleIdProperties) : undefined);
  if (moduleId !== undefined) message.moduleId = moduleId;
  const component = textAt(sys, slot['dt-subject']);
  if (component !== undefined) message.component = component;
  // A device twin in a lifecycle or twin change event names the device's Plug and Play model (reference §5).
  const modelId =
    textAt(sys, slot['dt-dataschema']) ??
    (source !== undefined && typeof decoded.body.modelId === 'string' && decoded.body.modelId.startsWith('dtmi:')
      ? decoded.body.modelId
      : undefined);
  if (modelId !== undefined) message.modelId = modelId;
  if (sequenceNumber !== undefined) message.sequenceNumber = sequenceNumber;
  // The offset string first: on a geo-replicated namespace the numeric offsets are -1 (no position).
  const offset =
    normalizeOffset(sys[slot.offsetString]) ??
    normalizeOffset(raw.offset) ??
    normalizeOffset(sys[slot['x-opt-offset']]) ??
    normalizeOffset(sys[slot.offset]);
  if (offset !== undefined) message.offset = offset;
  // The event's own system properties first: the batch's PartitionKeyArray may lack empty entries.
  const partitionKey = textAt(sys, slot['x-opt-partition-key'], slot.partitionKey) ?? optionalString(raw.partitionKey);
  if (partitionKey !== undefined) message.partitionKey = partitionKey;
  if (messageId !== undefined) message.messageId = messageId;
  const correlationId = textAt(sys, slot['correlation-id'], slot.correlationId);
  if (correlationId !== undefined) message.correlationId = correlationId;
  if (contentType !== undefined) message.contentType = contentType;
  if (contentEncoding !== undefined) message.contentEncoding = contentEncoding;
  if (carriedTraceparent !== undefined) {
    const traceparent = validTraceparent(carriedTraceparent);
    // An invalid trace context is not forwarded (it could not be a header); the batch summary counts it.
    if (traceparent !== undefined) message.traceparent = traceparent;
    else message.traceparentDropped = true;
  }
  return { ok: true, message };
}
