// Parses one delivered event (CloudEvents 1.0 or Event Grid schema, detected per event) into a
// ParsedNotification, or says precisely why it cannot be used.
import type { EventGridDeserializer } from '@azure/eventgrid';

import type { EventSchema, ParseResult } from './types';
import { adtKindOf, toChange } from './validate';

let deserializer: EventGridDeserializer | undefined;

/** The Event Grid SDK's envelope validator, loaded by the first event (ingest-only workers never load it). */
function eventGrid(): EventGridDeserializer {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  deserializer ??= new (require('@azure/eventgrid') as typeof import('@azure/eventgrid')).EventGridDeserializer();
  return deserializer;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function detectSchema(event: unknown): EventSchema | undefined {
  if (!isRecord(event)) return undefined;
  if ('specversion' in event) return 'cloudEvents';
  if ('eventType' in event) return 'eventGrid';
  return undefined;
}

/** Data may arrive as an object, a JSON string, or bytes (CloudEvents data_base64). */
function decodeData(data: unknown): unknown {
  if (data instanceof Uint8Array) data = Buffer.from(data).toString('utf8');
  if (typeof data === 'string') {
    try {
      return JSON.parse(data) as unknown;
    } catch {
      return data;
    }
  }
  return data;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const isoTime = (v: unknown): string | undefined => (v instanceof Date ? v.toISOString() : text(v));

interface Unwrapped {
  id: string;
  type: string;
  subject: string | undefined;
  time: string | undefined;
  traceparent: string | undefined;
  data: unknown;
}

async function fromCloudEvent(event: Record<string, unknown>): Promise<Unwrapped> {
  const [ce] = await eventGrid().deserializeCloudEvents({ ...event });
  if (!ce) throw new Error('no event in the payload');
  return {
    id: ce.id,
    type: ce.type,
    subject: text(ce.subject),
    time: isoTime(ce.time),
    traceparent: text(ce.extensionAttributes?.traceparent),
    // The SDK's serializer turns a string `data` into a char-indexed object, so take `data` from the
    // raw event; only `data_base64` needs the SDK's decoding.
    data: decodeData('data' in event ? event.data : ce.data),
  };
}

async function fromEventGridEvent(event: Record<string, unknown>): Promise<Unwrapped> {
  const [eg] = await eventGrid().deserializeEventGridEvents({ ...event });
  if (!eg) throw new Error('no event in the payload');
  let data = decodeData(event.data); // raw, for the same reason as in fromCloudEvent
  let traceparent: string | undefined;
  // ADT wraps its payload once more in the Event Grid schema: data = {data, contenttype, traceparent}.
  if (adtKindOf(eg.eventType) && isRecord(data) && 'data' in data) {
    traceparent = text(data.traceparent);
    data = decodeData(data.data);
  }
  return { id: eg.id, type: eg.eventType, subject: text(eg.subject), time: isoTime(eg.eventTime), traceparent, data };
}

export async function parseNotification(event: unknown): Promise<ParseResult> {
  const schema = detectSchema(event);
  const id = isRecord(event) ? text(event.id) : undefined;
  const rawType = isRecord(event) ? (text(event.type) ?? text(event.eventType)) : undefined;
  if (!schema || !isRecord(event)) {
    const reason = isRecord(event)
      ? 'event is in neither the CloudEvents 1.0 schema (no "specversion") nor the Event Grid schema (no "eventType")'
      : `event is ${event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event}, not an object`;
    return { ok: false, malformed: { schema, id, type: rawType, reason } };
  }
  let unwrapped: Unwrapped;
  try {
    unwrapped = schema === 'cloudEvents' ? await fromCloudEvent(event) : await fromEventGridEvent(event);
  } catch (err) {
    const reason = `invalid ${schema === 'cloudEvents' ? 'CloudEvents 1.0' : 'Event Grid'} envelope: ${err instanceof Error ? err.message : String(err)}`;
    return { ok: false, malformed: { schema, id, type: rawType, reason } };
  }
  const envelope = {
    schema,
    id: unwrapped.id,
    type: unwrapped.type,
    subject: unwrapped.subject,
    time: unwrapped.time,
    traceparent: unwrapped.traceparent,
  };
  const kind = adtKindOf(unwrapped.type);
  if (!kind) {
    return {
      ok: true,
      notification: {
        ...envelope,
        change: { kind: 'ignored', reason: `event type ${unwrapped.type} is not an Azure Digital Twins notification` },
      },
    };
  }
  const change = toChange(kind, unwrapped.data, unwrapped.subject);
  if ('reason' in change) {
    return { ok: false, malformed: { schema, id: unwrapped.id, type: unwrapped.type, reason: `${unwrapped.type}: ${change.reason}` } };
  }
  return { ok: true, notification: { ...envelope, change: change.value } };
}
