// Decodes one raw event (body + its triggerMetadata slice) into a DeviceMessage. Never throws for bad
// input: every failure comes back as a reason code the dead-letter sink records.

import { type BodyLimits, decodeBody } from './decodeBody';
import type { DecodeResult, DeviceMessage, RawEvent } from './deviceMessage';
import { validTraceparent } from './headerSafety';
import { normalizeOffset, normalizeSequenceNumber, normalizeTimestamp, optionalString } from './normalize';
import { asBag, lookupProperty } from './properties';

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
  const sys = (...names: string[]): string | undefined => {
    for (const name of names) {
      const value = optionalString(lookupProperty(system, name));
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const fromProperties = (names: readonly string[]): string | undefined => {
    for (const name of names) {
      const value = optionalString(lookupProperty(properties, name));
      if (value !== undefined) return value;
    }
    return undefined;
  };

  const sequenceNumber =
    normalizeSequenceNumber(raw.sequenceNumber) ??
    normalizeSequenceNumber(lookupProperty(system, 'x-opt-sequence-number')) ??
    normalizeSequenceNumber(lookupProperty(system, 'sequenceNumber'));
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
    normalizeTimestamp(lookupProperty(system, 'iothub-enqueuedtime')) ??
    normalizeTimestamp(raw.enqueuedTimeUtc) ??
    normalizeTimestamp(lookupProperty(system, 'x-opt-enqueued-time')) ??
    normalizeTimestamp(lookupProperty(system, 'enqueuedTimeUtc'));
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

  const carriedTraceparent = optionalString(lookupProperty(properties, 'traceparent')) ?? sys('traceparent');
  const message: DeviceMessage = {
    eventKey,
    deviceId,
    enqueuedTime,
    properties,
    systemProperties: system,
    body: decoded.body,
  };
  const optional: Partial<DeviceMessage> = {
    moduleId: sys('iothub-connection-module-id') ?? fromProperties(options.moduleIdProperties),
    component: sys('dt-subject'),
    modelId: sys('dt-dataschema'),
    sequenceNumber,
    offset: normalizeOffset(raw.offset) ?? normalizeOffset(lookupProperty(system, 'x-opt-offset')),
    partitionKey: optionalString(raw.partitionKey) ?? sys('x-opt-partition-key'),
    messageId,
    correlationId: sys('correlation-id', 'correlationId'),
    contentType,
    contentEncoding,
    traceparent: validTraceparent(carriedTraceparent),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (message as unknown as Record<string, unknown>)[key] = value;
  }
  // An invalid trace context is not forwarded (it could not be a header); the batch summary counts it.
  if (carriedTraceparent !== undefined && message.traceparent === undefined) message.traceparentDropped = true;
  return { ok: true, message };
}
