// Test helpers for the ADT emulator: an unmodified DigitalTwinsClient that trusts the emulator's CA, and
// raw HTTPS for the wire details the SDK hides. The trust logic itself lives in local/emulator/trust.ts.
import { request } from 'node:https';

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { createEmulatorClient, type EmulatorClientOptions, type EmulatorTarget } from '../../local/emulator/trust';

/** Small retry delays by default so tests that hit a 5xx do not wait ~30 s per call. */
export function createTestClient(emulator: EmulatorTarget, options: EmulatorClientOptions = {}): DigitalTwinsClient {
  return createEmulatorClient(emulator, { retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 50 }, ...options }).client;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON, or undefined for an empty/non-JSON body. */
  json: unknown;
}

export interface RawOptions {
  headers?: Record<string, string>;
  /** Object → JSON; string → sent as is. */
  body?: unknown;
  /** Defaults to a bearer token; pass false to send none. */
  auth?: boolean;
}

export function rawRequest(emulator: EmulatorTarget, method: string, path: string, options: RawOptions = {}): Promise<RawResponse> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    ...(options.auth === false ? {} : { authorization: 'Bearer test' }),
    ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...options.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, emulator.url), { method, headers, ca: emulator.ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : (JSON.parse(text) as unknown);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}
