// A device message as a service hands it over: what the simulator writes, the runner replays (one
// JSON object per line of a telemetry .ndjson file) and the HTTP ingest function accepts. It carries
// what IoT Hub stamps on a message, so ingest sees the same system properties whichever way it came.

import { errorMessage } from '../../common';

export interface TelemetryEnvelope {
  /** IoT Hub device id (system property iothub-connection-device-id). */
  deviceId: string;
  /** IoT Edge module id (iothub-connection-module-id), when sent from a module. */
  moduleId?: string;
  /** When IoT Hub accepted the message (ISO 8601, UTC). */
  enqueuedTime: string;
  /** Device-assigned message id (message-id); the de-duplication key for telemetry. */
  messageId?: string;
  /** Application properties the device set. */
  properties?: Record<string, string>;
  /** Extra system properties, e.g. content-type, content-encoding, dt-subject, dt-dataschema. */
  systemProperties?: Record<string, string>;
  /** Event Hub partition to replay into; when absent the runner hashes the device id. */
  partition?: string;
  /** JSON body. Exactly one of body / bodyBase64. */
  body?: unknown;
  /** Raw body bytes (e.g. gzip, utf-16, or deliberately broken payloads). */
  bodyBase64?: string;
}

/** Parses and validates one line; the error says which line and field is wrong. */
export function parseEnvelope(line: string, where: string): TelemetryEnvelope {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${errorMessage(error)}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected a JSON object with at least deviceId, enqueuedTime and body or bodyBase64.`);
  }
  const e = value as Record<string, unknown>;
  const fail = (field: string, expected: string): never => {
    throw new Error(`${where}: field "${field}" ${expected}.`);
  };
  if (typeof e.deviceId !== 'string' || e.deviceId === '') fail('deviceId', 'must be a non-empty string');
  if (e.moduleId !== undefined && typeof e.moduleId !== 'string') fail('moduleId', 'must be a string');
  if (typeof e.enqueuedTime !== 'string' || Number.isNaN(Date.parse(e.enqueuedTime))) {
    fail('enqueuedTime', 'must be an ISO 8601 date-time');
  }
  if (e.messageId !== undefined && typeof e.messageId !== 'string') fail('messageId', 'must be a string');
  if (e.partition !== undefined && typeof e.partition !== 'string') fail('partition', 'must be a string');
  for (const field of ['properties', 'systemProperties'] as const) {
    const map = e[field];
    if (map === undefined) continue;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) fail(field, 'must be an object of strings');
    for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
      if (typeof v !== 'string') fail(`${field}.${k}`, 'must be a string');
    }
  }
  const hasBody = 'body' in e;
  const hasRaw = e.bodyBase64 !== undefined;
  if (hasBody === hasRaw) fail('body', 'or "bodyBase64" must be present (exactly one of them)');
  if (hasRaw && (typeof e.bodyBase64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(e.bodyBase64))) {
    fail('bodyBase64', 'must be base64 text');
  }
  return e as unknown as TelemetryEnvelope;
}

/** Parses a whole .ndjson text, skipping blank lines; errors carry the file name and line number. */
export function parseEnvelopes(text: string, fileName: string): TelemetryEnvelope[] {
  const envelopes: TelemetryEnvelope[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    envelopes.push(parseEnvelope(line, `${fileName}:${index + 1}`));
  });
  return envelopes;
}

/** The bytes IoT Hub would hold for this message body. */
export function envelopeBodyBytes(envelope: TelemetryEnvelope): Buffer {
  if (envelope.bodyBase64 !== undefined) return Buffer.from(envelope.bodyBase64, 'base64');
  return Buffer.from(JSON.stringify(envelope.body), 'utf8');
}
