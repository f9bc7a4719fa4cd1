// Decodes one raw event (body + its triggerMetadata slice) into a DeviceMessage. Never throws for bad
// input: every failure comes back as a reason code the dead-letter sink records.

import { type BodyLimits, decodeBody } from './decodeBody';
import type { DecodeResult, DeviceMessage, RawEvent } from './deviceMessage';
import { validTraceparent } from './headerSafety';
import { normalizeOffset, normalizeSequenceNumber, normalizeTimestamp, optionalString } from './normalize';
import { asBag, propertyIndex } from './properties';

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

export function decodeEvent(raw: RawEvent, options: DecodeOptions = defaultDecodeOptions): DecodeResult {
  const properties = asBag(raw.properties);
  const system = asBag(raw.systemProperties);
  const systemProperty = propertyIndex(system);
  const applicationProperty = propertyIndex(properties);
  const sys = (name: string, alias?: string): string | undefined => optionalString(systemProperty(name)) ?? (alias === undefined ? undefined : optionalString(systemProperty(alias)));
  const fromProperties = (names: readonly string[]): string | undefined => {
    for (const name of names) {
      const value = optionalString(applicationProperty(name));
      if (value !== undefined) return value;
    }
    return undefined;
  };

  const sequenceNumber =
    normalizeSequenceNumber(raw.sequenceNumber) ??
    normalizeSequenceNumber(systemProperty('x-opt-sequence-number')) ??
    normalizeSequenceNumber(systemProperty('sequenceNumber'));
  const eventKey = sequenceNumber !== undefined ? `seq:${sequenceNumber}` : `idx:${raw.index}`;
  const messageId = sys('message-id', 'messageId');
  const deviceId = sys('iothub-connection-device-id') ?? fromProperties(options.deviceIdProperties);
  const failure = { eventKey, ...(deviceId !== undefined && { deviceId }), ...(messageId !== undefined && { messageId }) };

  if (deviceId === undefined) {
    const tried = ['iothub-connection-device-id (system)', ...options.deviceIdProperties.map((p) => `${p} (application)`)];
    return { ok: false, reason: 'missing-device-id', detail: `No device id found; looked at ${tried.join(', ')}. Custom producers must set one of the application properties listed in ingest.options.deviceIdProperties.`, ...failure };
  }
  // iothub-enqueuedtime carries a zone; the host's EnqueuedTimeUtc does not (normalised anyway).
  const enqueuedTime =
    normalizeTimestamp(systemProperty('iothub-enqueuedtime')) ??
    normalizeTimestamp(raw.enqueuedTimeUtc) ??
    normalizeTimestamp(systemProperty('x-opt-enqueued-time')) ??
    normalizeTimestamp(systemProperty('enqueuedTimeUtc'));
  if (enqueuedTime === undefined) {
    return { ok: false, reason: 'missing-enqueued-time', detail: 'The event carries no readable enqueued time (iothub-enqueuedtime, EnqueuedTimeUtc or x-opt-enqueued-time).', ...failure };
  }

  const contentType = sys('content-type', 'contentType');
  const contentEncoding = sys('content-encoding', 'contentEncoding');
  const decoded = decodeBody(
    raw.body,
    {
      ...(contentType !== undefined && { contentType }),
      ...(contentEncoding !== undefined && { contentEncoding }),
    },
    options.limits,
  );
  if (!decoded.ok) return { ok: false, reason: decoded.reason, detail: decoded.detail, ...failure };

  const carriedTraceparent = optionalString(applicationProperty('traceparent')) ?? sys('traceparent');
  const message: DeviceMessage = {
    eventKey,
    deviceId,
    enqueuedTime,
    properties,
    systemProperties: system,
    body: decoded.body,
  };
  // Assigned one by one (no spread, no per-event closure list): this runs for every message.
  const moduleId = sys('iothub-connection-module-id') ?? fromProperties(options.moduleIdProperties);
  if (moduleId !== undefined) message.moduleId = moduleId;
  const component = sys('dt-subject');
  if (component !== undefined) message.component = component;
  const modelId = sys('dt-dataschema');
  if (modelId !== undefined) message.modelId = modelId;
  if (sequenceNumber !== undefined) message.sequenceNumber = sequenceNumber;
  const offset = normalizeOffset(raw.offset) ?? normalizeOffset(systemProperty('x-opt-offset'));
  if (offset !== undefined) message.offset = offset;
  const partitionKey = optionalString(raw.partitionKey) ?? sys('x-opt-partition-key');
  if (partitionKey !== undefined) message.partitionKey = partitionKey;
  if (messageId !== undefined) message.messageId = messageId;
  const correlationId = sys('correlation-id', 'correlationId');
  if (correlationId !== undefined) message.correlationId = correlationId;
  if (contentType !== undefined) message.contentType = contentType;
  if (contentEncoding !== undefined) message.contentEncoding = contentEncoding;
  const traceparent = validTraceparent(carriedTraceparent);
  if (traceparent !== undefined) message.traceparent = traceparent;
  // An invalid trace context is not forwarded (it could not be a header); the batch summary counts it.
  if (carriedTraceparent !== undefined && message.traceparent === undefined) message.traceparentDropped = true;
  return { ok: true, message };
}
