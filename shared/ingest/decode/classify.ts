// Classifies an event by `iothub-message-source`, then `opType` (reference §1.1–§1.2). Telemetry (no
// source, or `Telemetry`) gets no source object, so the hot path allocates nothing. The 2018 module
// names (`moduleLifecycleEvents`) are accepted as lifecycle events: the documentation has both.

import { type JsonObject, lookupProperty, type MessageKind, type MessageSource } from '../message';
import { optionalString } from './normalize';

const kindsBySource: ReadonlyMap<string, MessageKind> = new Map<string, MessageKind>([
  ['telemetry', 'telemetry'],
  ['devicemessages', 'telemetry'],
  ['devicelifecycleevents', 'deviceLifecycleEvents'],
  ['modulelifecycleevents', 'deviceLifecycleEvents'],
  ['twinchangeevents', 'twinChangeEvents'],
  ['deviceconnectionstateevents', 'deviceConnectionStateEvents'],
  ['digitaltwinchangeevents', 'digitalTwinChangeEvents'],
]);

/** The event's source; undefined for telemetry. `name` is the system property's text. */
export function classify(name: unknown, properties: JsonObject): MessageSource | undefined {
  const text = optionalString(name);
  if (text === undefined) return undefined;
  const kind = kindsBySource.get(text.toLowerCase()) ?? 'other';
  if (kind === 'telemetry') return undefined;
  const source: MessageSource = { kind, name: text };
  const opType = optionalString(lookupProperty(properties, 'opType'));
  if (opType !== undefined) source.opType = opType;
  return source;
}

/**
 * A Plug and Play digital twin change is a JSON Patch array; a body must be an object, so the array
 * is held as `{ "patch": [...] }` (a text or UTF-8 body is wrapped before it is parsed, so the size and
 * depth limits and the prototype-key guard apply to it as to any body).
 */
export function wrapPatchBody(body: unknown): unknown {
  if (Array.isArray(body)) return { patch: body };
  if (typeof body === 'string') return body.trimStart().startsWith('[') ? `{"patch":${body}}` : body;
  if (body instanceof Uint8Array) {
    const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const first = bytes.findIndex((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
    return first >= 0 && bytes[first] === 0x5b /* [ */ ? Buffer.concat([Buffer.from('{"patch":'), bytes, Buffer.from('}')]) : body;
  }
  return body;
}
