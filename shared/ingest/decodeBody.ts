// Turns one trigger element into a JSON object body. The Functions library hands over already-parsed
// values (dataType 'string' JSON-parses each element when it can), raw strings, numbers, or Buffers
// (dataType 'binary'); devices may send utf-8, utf-16, gzip, or (without a content type) base64 text.

import { gunzipSync } from 'node:zlib';

import { errorMessage } from '../common';
import { type DecodeFailureReason, isJsonObject, type JsonObject } from './deviceMessage';

export type BodyResult = { ok: true; body: JsonObject } | { ok: false; reason: DecodeFailureReason; detail: string };

export interface BodyHints {
  /** AMQP content-encoding (IoT Hub: the charset, e.g. utf-8; some producers: gzip). */
  contentEncoding?: string;
  /** AMQP content-type; a `charset=` parameter is honoured when content-encoding names none. */
  contentType?: string;
}

type Charset = 'utf-8' | 'utf-16' | 'utf-16le' | 'utf-16be';

interface Encoding {
  gzip: boolean;
  charset?: Charset;
}

const charsetAliases: Readonly<Record<string, Charset>> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
  'utf-16': 'utf-16',
  utf16: 'utf-16',
  unicode: 'utf-16',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

const fail = (reason: DecodeFailureReason, detail: string): BodyResult => ({ ok: false, reason, detail });

export function decodeBody(body: unknown, hints: BodyHints = {}): BodyResult {
  const encoding = parseEncoding(hints);
  if (typeof encoding === 'string') return fail('unsupported-encoding', encoding);
  if (body === undefined || body === null) return fail('empty-body', 'The event has no body.');
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return decodeBytes(Buffer.from(body.buffer, body.byteOffset, body.byteLength), encoding);
  if (typeof body === 'string') return decodeString(body, encoding);
  if (isJsonObject(body)) return { ok: true, body };
  if (Array.isArray(body)) return fail('body-not-object', 'The body is a JSON array; send one JSON object per message.');
  if (typeof body === 'number' || typeof body === 'boolean') {
    return fail('body-not-object', `The body is the JSON ${typeof body} ${String(body)}; send a JSON object such as {"temperature": 21.5}.`);
  }
  return fail('unsupported-body-type', `The trigger delivered a ${typeof body}; expected an object, string or Buffer.`);
}

function parseEncoding(hints: BodyHints): Encoding | string {
  const result: Encoding = { gzip: false };
  for (const token of (hints.contentEncoding ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean)) {
    if (token === 'gzip' || token === 'x-gzip') result.gzip = true;
    else if (token === 'identity') continue;
    else if (charsetAliases[token]) result.charset = charsetAliases[token];
    else return `content-encoding "${hints.contentEncoding}" is not supported; use utf-8, utf-16le, utf-16be or gzip.`;
  }
  if (!result.charset) {
    const match = /charset\s*=\s*"?([\w-]+)"?/i.exec(hints.contentType ?? '');
    const named = match?.[1]?.toLowerCase();
    if (named !== undefined) {
      const charset = charsetAliases[named];
      if (!charset) return `content-type charset "${named}" is not supported; use utf-8 or utf-16.`;
      result.charset = charset;
    }
  }
  return result;
}

function decodeBytes(bytes: Buffer, encoding: Encoding): BodyResult {
  if (bytes.length === 0) return fail('empty-body', 'The body has zero bytes.');
  let data = bytes;
  const looksGzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (encoding.gzip) {
    try {
      data = gunzipSync(bytes);
    } catch (error) {
      return fail('decompress-failed', `content-encoding is gzip but the body does not decompress: ${errorMessage(error)}.`);
    }
    if (data.length === 0) return fail('empty-body', 'The body decompresses to zero bytes.');
  } else if (looksGzip) {
    return fail('invalid-json', 'The body looks gzip-compressed but content-encoding does not say gzip; set content-encoding to gzip on the device.');
  }
  return parseText(bytesToText(data, encoding.charset));
}

function bytesToText(bytes: Buffer, charset: Charset | undefined): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return swapBytes(bytes.subarray(2)).toString('utf16le');
  if (charset === 'utf-16le') return bytes.toString('utf16le');
  if (charset === 'utf-16be') return swapBytes(bytes).toString('utf16le');
  if (charset === 'utf-16') {
    // No BOM: JSON starts with an ASCII character, so the zero byte of the first code unit tells the order.
    return bytes[0] === 0 ? swapBytes(bytes).toString('utf16le') : bytes.toString('utf16le');
  }
  return bytes.toString('utf8');
}

function swapBytes(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return copy.swap16();
}

function decodeString(text: string, encoding: Encoding): BodyResult {
  if (encoding.gzip) {
    return fail('lossy-string-binding', 'The body is gzip-compressed but arrived as a string (the binding decoded it as UTF-8, which loses bytes); register the trigger with dataType "binary".');
  }
  if (encoding.charset && encoding.charset !== 'utf-8' && text.includes('\u0000')) {
    // The string binding decoded UTF-16 bytes as UTF-8. That is reversible only while every byte was ASCII.
    if (text.includes('\uFFFD')) {
      return fail('lossy-string-binding', 'A UTF-16 body arrived through the string binding with non-ASCII characters that UTF-8 decoding destroyed; register the trigger with dataType "binary".');
    }
    return decodeBytes(Buffer.from(text, 'utf8'), encoding);
  }
  return parseText(text);
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function parseText(raw: string): BodyResult {
  const text = raw.replace(/^\uFEFF/, '').trim();
  if (text === '') return fail('empty-body', 'The body is empty or only whitespace.');
  const parsed = tryParse(text);
  if (parsed.ok) return asObject(parsed.value);
  // IoT Hub base64-encodes bodies when the device sets no JSON content type/encoding.
  const compact = text.replace(/\s+/g, '');
  if (compact.length >= 4 && base64Pattern.test(compact)) {
    const decoded = tryParse(Buffer.from(compact, 'base64').toString('utf8').replace(/^\uFEFF/, ''));
    if (decoded.ok && isJsonObject(decoded.value)) return { ok: true, body: decoded.value };
  }
  return fail('invalid-json', `The body is not valid JSON (${parsed.error}); it starts with ${JSON.stringify(text.slice(0, 40))}.`);
}

function asObject(value: unknown): BodyResult {
  if (isJsonObject(value)) return { ok: true, body: value };
  if (typeof value === 'string') return parseText(value);
  return decodeBody(value);
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}
