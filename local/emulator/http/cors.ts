// CORS for browser clients (ADT Explorer-style tools, SDK scripts in a page): the emulator has no
// credentials worth protecting, so any origin may call it. A preflight is answered here, before auth,
// because browsers send OPTIONS without the Authorization header.
import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_METHODS = 'GET, PUT, POST, PATCH, DELETE, OPTIONS';
/** Response headers a script may read: the SDK needs ETag, query-charge and the error code. */
const EXPOSED_HEADERS = 'ETag, query-charge, traceresponse, x-ms-error-code, Retry-After, Location';

/** Sets the CORS headers on every response; returns true when the request was a preflight and is answered. */
export function handleCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
  res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
  res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'authorization, content-type');
  res.setHeader('Access-Control-Max-Age', '600');
  res.writeHead(204, { 'Content-Length': '0' });
  res.end();
  return true;
}
