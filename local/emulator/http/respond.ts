// Writing responses the way ADT does: JSON with charset, explicit empty bodies on 204, error envelope.
import type { ServerResponse } from 'node:http';

import { AdtError } from '../errors';

/** What a handler returns; the server writes it. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, ...(headers ? { headers } : {}) };
}

export function empty(status: number, headers?: Record<string, string>): Reply {
  return { status, ...(headers ? { headers } : {}) };
}

export function writeReply(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string>): void {
  const headers: Record<string, string> = { ...extraHeaders, ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, { ...headers, 'Content-Length': '0' });
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...headers,
    'Content-Type': JSON_CONTENT_TYPE,
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

export function errorReply(error: AdtError): Reply {
  return { status: error.status, body: error.toBody(), headers: { ...error.headers, 'x-ms-error-code': error.code } };
}

/** Anything that is not an AdtError is an emulator bug: report it as a 500 the caller can read. */
export function toAdtError(error: unknown): AdtError {
  if (error instanceof AdtError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new AdtError(500, 'InternalServerError', `The ADT emulator failed: ${message}`);
}
