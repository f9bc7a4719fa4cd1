// The parsed request every handler receives.
import type { IncomingHttpHeaders } from 'node:http';

export interface RequestContext {
  method: string;
  /** Raw path as sent (still percent-encoded). */
  rawPath: string;
  /** Path parameters, each segment percent-decoded on its own (ids may contain `/`). */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when the request had none. */
  body: unknown;
  /** Absolute base URL of this emulator, for nextLinks. */
  baseUrl: string;
  /** Host name used as the notification `source`, e.g. `127.0.0.1:4443`. */
  host: string;
  /** W3C trace context forwarded to notifications (generated when the caller sent none). */
  traceparent: string;
}

export function header(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
