// Ingest for any service that is not IoT Hub (Logic Apps, a backend, a gateway): one HTTP request
// carries one envelope, a JSON array of them, or ndjson, and runs through the same pipeline as an
// Event Hub batch. The answer gives each message's outcome, so the caller knows what was applied,
// filtered or dead-lettered (and why) without reading logs.

import { createHash } from 'node:crypto';

import { errorMessage } from '../../common';
import type { BatchResult, LedgerEntry } from '../batch';
import type { RawEvent } from '../message';

export const httpIngestLimits = {
  /** Largest request body accepted; larger is answered 413. */
  maxBodyBytes: 4 * 1024 * 1024,
  /** Most envelopes in one request; more is answered 413. */
  maxMessages: 1000,
} as const;

export type HttpIngestParse = { ok: true; items: unknown[] } | { ok: false; status: 400 | 413; error: string };

/** One envelope, a JSON array of envelopes, or ndjson (one envelope per line). */
export function parseHttpIngestBody(bytes: Uint8Array): HttpIngestParse {
  if (bytes.byteLength > httpIngestLimits.maxBodyBytes) {
    return {
      ok: false,
      status: 413,
      error: `The request body has ${bytes.byteLength} bytes, more than ${httpIngestLimits.maxBodyBytes}; send fewer envelopes per request.`,
    };
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trim();
  // The Functions host hands a chunked request (no Content-Length) to the function without its body.
  if (text === '') {
    return {
      ok: false,
      status: 400,
      error:
        'The request body is empty — send Content-Length; chunked transfer encoding is not passed to the function by the Functions host. Send one envelope, a JSON array of envelopes, or ndjson.',
    };
  }
  let items: unknown[];
  try {
    const whole: unknown = JSON.parse(text);
    items = Array.isArray(whole) ? whole : [whole];
  } catch (wholeError) {
    items = [];
    const lines = text.split(/\r?\n/);
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      try {
        items.push(JSON.parse(line) as unknown);
      } catch (error) {
        const reason = lines.length === 1 ? errorMessage(wholeError) : `line ${index + 1}: ${errorMessage(error)}`;
        return {
          ok: false,
          status: 400,
          error: `The request body is neither JSON nor ndjson (${reason}). Send one envelope, a JSON array of envelopes, or one envelope per line.`,
        };
      }
    }
  }
  if (items.length === 0) return { ok: false, status: 400, error: 'The request holds no envelope.' };
  if (items.length > httpIngestLimits.maxMessages) {
    return {
      ok: false,
      status: 413,
      error: `The request holds ${items.length} envelopes, more than ${httpIngestLimits.maxMessages}; split it.`,
    };
  }
  return { ok: true, items };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringRecord = (value: unknown): Record<string, string> =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};

/**
 * Each item as the event it stands for. Nothing is refused here: an item that is not a usable
 * envelope becomes an event the pipeline dead-letters with its reason (missing-device-id,
 * body-not-object…), so the caller gets an outcome for every item. Without a message id the
 * envelope gets a digest of its content: retrying the same request is de-duplicated by ADT and
 * overwrites, instead of duplicating, its dead letters.
 */
export function envelopeEvents(items: readonly unknown[], receivedAt: Date): RawEvent[] {
  return items.map((item, index) => {
    const envelope = isRecord(item) ? item : { body: item };
    const enqueuedTime =
      typeof envelope.enqueuedTime === 'string' && !Number.isNaN(Date.parse(envelope.enqueuedTime))
        ? envelope.enqueuedTime
        : receivedAt.toISOString();
    const body =
      typeof envelope.bodyBase64 === 'string'
        ? Buffer.from(envelope.bodyBase64, 'base64')
        : envelope.body === undefined
          ? undefined
          : Buffer.from(JSON.stringify(envelope.body), 'utf8');
    const messageId =
      typeof envelope.messageId === 'string' && envelope.messageId !== ''
        ? envelope.messageId
        : `http-${createHash('sha256')
            .update(JSON.stringify([envelope.deviceId, envelope.moduleId, enqueuedTime, body?.toString('base64')]))
            .digest('hex')
            .slice(0, 32)}`;
    const systemProperties: Record<string, unknown> = {
      ...(typeof envelope.deviceId === 'string' && envelope.deviceId !== '' && { 'iothub-connection-device-id': envelope.deviceId }),
      ...(typeof envelope.moduleId === 'string' && { 'iothub-connection-module-id': envelope.moduleId }),
      'iothub-enqueuedtime': enqueuedTime,
      'message-id': messageId,
      ...stringRecord(envelope.systemProperties),
    };
    return { body, index, enqueuedTimeUtc: enqueuedTime, systemProperties, properties: stringRecord(envelope.properties) };
  });
}

export interface HttpMessageOutcome {
  index: number;
  messageId?: string;
  outcome: LedgerEntry['outcome'];
  /** The reasons behind the outcome (a filter or dead-letter code; for an applied message, values refused). */
  reasons: string[];
}

/** The answer to a request that ran through the pipeline: one outcome per item, in request order. */
export function httpIngestAnswer(result: BatchResult): { summary: BatchResult['summary']; messages: HttpMessageOutcome[] } {
  const messages = result.ledger.map((entry) => ({
    index: Number(entry.eventKey.replace(/^idx:/, '')),
    ...(entry.messageId !== undefined && { messageId: entry.messageId }),
    outcome: entry.outcome,
    reasons: entry.reasons,
  }));
  return { summary: result.summary, messages: messages.sort((a, b) => a.index - b.index) };
}
