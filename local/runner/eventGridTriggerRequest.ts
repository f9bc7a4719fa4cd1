// Builds what the Functions host sends the worker for one Event Grid delivery: the event JSON as
// delivered (either schema), and binding data holding only `data`. The host reads the request into
// Json.NET objects, which parse every ISO 8601 date string into a DateTime and write it back in
// their own format ("…05.1200000Z" arrives as "…05.12Z"), at any depth. Event Grid retries are the
// subscription's, so the host sends no retry context.
import type { RpcInvocationRequest } from './rpcTypes';

const utcDateTime = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;

/** A UTC date string as Json.NET re-serialises it: at most 7 fractional digits, trailing zeros dropped. */
export function jsonNetDate(text: string): string {
  const match = utcDateTime.exec(text);
  if (!match) return text;
  const fraction = (match[2] ?? '').slice(0, 7).replace(/0+$/, '');
  return `${match[1]}${fraction ? `.${fraction}` : ''}Z`;
}

/** The event after the host's round trip through Json.NET. */
export function hostReserialised(value: unknown): unknown {
  if (typeof value === 'string') return jsonNetDate(value);
  if (Array.isArray(value)) return value.map(hostReserialised);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, hostReserialised(item)]));
  }
  return value;
}

export function eventGridTriggerRequest(triggerName: string, event: Record<string, unknown>): RpcInvocationRequest {
  const delivered = hostReserialised(event) as Record<string, unknown>;
  return {
    inputData: [{ name: triggerName, data: { json: JSON.stringify(delivered) } }],
    triggerMetadata: { data: { json: JSON.stringify(delivered.data ?? null) } },
  };
}
