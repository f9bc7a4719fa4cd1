// Turns one trigger element into a JSON object body. The Functions library hands over already-parsed
// values (dataType 'string' JSON-parses each element when it can), raw strings, numbers, or Buffers
// (dataType 'binary'); devices may send utf-8, utf-16, gzip, or (without a content type) base64 text.

import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

import { errorMessage } from '../../common';
import { type DecodeFailureReason, isJsonObject, isPrototypeKey, type JsonObject, withoutPrototypeKeys } from '../message';

/** `prototypeKeys`: JSON Pointers of the `__proto__`/`constructor`/`prototype` keys removed from the body. */
export type BodyResult =
  { ok: true; body: JsonObject; prototypeKeys?: string[] } | { ok: false; reason: DecodeFailureReason; detail: string };

/** Bounds every body is held to before anything parses or serialises it further. */
export interface BodyLimits {
  /** Decoded (decompressed) bytes at most; inflation stops there (zlib maxOutputLength). */
  maxDecodedBytes: number;
  /** JSON nesting at most. */
  maxDepth: number;
}

export const defaultBodyLimits: BodyLimits = { maxDecodedBytes: 1024 * 1024, maxDepth: 32 };

export interface BodyHints {
  /** AMQP content-encoding (IoT Hub: the charset, e.g. utf-8; some producers: gzip). */
  contentEncoding?: string;
  /** AMQP content-type; a `charset=` parameter is honoured when content-encoding names none. */
  contentType?: string;
}

type Charset = 'utf-8' | 'utf-16' | 'utf-16le' | 'utf-16be';

type Compression = 'gzip' | 'deflate' | 'br';

interface Encoding {
  compression?: Compression;
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

export function decodeBody(body: unknown, hints: BodyHints = {}, limits: BodyLimits = defaultBodyLimits): BodyResult {
  const encoding = encodingOf(hints);
  if (typeof encoding === 'string') return fail('unsupported-encoding', encoding);
  if (body === undefined || body === null) return fail('empty-body', 'The event has no body.');
  if (Buffer.isBuffer(body)) return decodeBytes(body, encoding, limits);
  if (body instanceof Uint8Array) return decodeBytes(Buffer.from(body.buffer, body.byteOffset, body.byteLength), encoding, limits);
  if (typeof body === 'string') return decodeString(body, encoding, limits);
  if (isJsonObject(body)) return checkDepth(body, limits);
  if (Array.isArray(body)) return fail('body-not-object', 'The body is a JSON array; send one JSON object per message.');
  if (typeof body === 'number' || typeof body === 'boolean') {
    return fail(
      'body-not-object',
      `The body is the JSON ${typeof body} ${String(body)}; send a JSON object such as {"temperature": 21.5}.`,
    );
  }
  return fail('unsupported-body-type', `The trigger delivered a ${typeof body}; expected an object, string or Buffer.`);
}

/**
 * The hints of consecutive events are nearly always the same pair (a fleet sends one content type
 * and encoding), so the last answer is kept: one comparison per event instead of a parse.
 */
let lastHints: { contentEncoding: string | undefined; contentType: string | undefined; encoding: Encoding | string } | undefined;

function encodingOf(hints: BodyHints): Encoding | string {
  if (lastHints !== undefined && lastHints.contentEncoding === hints.contentEncoding && lastHints.contentType === hints.contentType)
    return lastHints.encoding;
  const encoding = parseEncoding(hints);
  lastHints = { contentEncoding: hints.contentEncoding, contentType: hints.contentType, encoding };
  return encoding;
}

function parseEncoding(hints: BodyHints): Encoding | string {
  const result: Encoding = {};
  for (const token of (hints.contentEncoding ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean)) {
    if (token === 'gzip' || token === 'x-gzip') result.compression = 'gzip';
    else if (token === 'deflate' || token === 'br') result.compression = token;
    else if (token === 'identity') continue;
    else if (charsetAliases[token]) result.charset = charsetAliases[token];
    else return `content-encoding "${hints.contentEncoding}" is not supported; use utf-8, utf-16le, utf-16be, gzip, deflate or br.`;
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

const inflaters: Readonly<Record<Compression, (bytes: Buffer, options: { maxOutputLength: number }) => Buffer>> = {
  gzip: gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

function tooLarge(limits: BodyLimits, what: string): BodyResult {
  return fail(
    'too-large',
    `The body ${what} more than ${limits.maxDecodedBytes} bytes (ingest.options.maxDecodedBytes); send smaller messages or raise the limit.`,
  );
}

function decodeBytes(bytes: Buffer, encoding: Encoding, limits: BodyLimits): BodyResult {
  if (bytes.length === 0) return fail('empty-body', 'The body has zero bytes.');
  let data = bytes;
  const looksGzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (encoding.compression) {
    try {
      // maxOutputLength stops inflation at the limit: a decompression bomb never takes more memory.
      data = inflaters[encoding.compression](bytes, { maxOutputLength: limits.maxDecodedBytes });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(limits, `${encoding.compression}-decompresses to`);
      return fail(
        'decompress-failed',
        `content-encoding is ${encoding.compression} but the body does not decompress: ${errorMessage(error)}.`,
      );
    }
    if (data.length === 0) return fail('empty-body', 'The body decompresses to zero bytes.');
  } else if (looksGzip) {
    return fail(
      'invalid-json',
      'The body looks gzip-compressed but content-encoding does not say gzip; set content-encoding to gzip on the device.',
    );
  } else if (bytes.length > limits.maxDecodedBytes) {
    return tooLarge(limits, 'has');
  }
  const text = bytesToText(data, encoding.charset);
  if (text === undefined) {
    return fail(
      'invalid-encoding',
      `The body is not valid ${encoding.charset ?? 'UTF-8'} text; set content-encoding (utf-8, utf-16le, utf-16be) to what the device sends. The original bytes are in the dead letter.`,
    );
  }
  return parseText(text, limits);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const strictUtf16 = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });

/** Text of the bytes, or undefined when they are not valid in the charset (never U+FFFD substitutes). */
function bytesToText(bytes: Buffer, charset: Charset | undefined): string | undefined {
  try {
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return strictUtf8.decode(bytes.subarray(3));
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return strictUtf16.decode(bytes.subarray(2));
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return strictUtf16.decode(swapBytes(bytes.subarray(2)));
    if (charset === 'utf-16le') return strictUtf16.decode(bytes);
    if (charset === 'utf-16be') return strictUtf16.decode(swapBytes(bytes));
    // No BOM: JSON starts with an ASCII character, so a zero byte in the first code unit tells UTF-16
    // and its order, whether or not the device named a charset.
    if (charset === 'utf-16' || (charset === undefined && bytes.length >= 2 && (bytes[0] === 0) !== (bytes[1] === 0))) {
      return strictUtf16.decode(bytes[0] === 0 ? swapBytes(bytes) : bytes);
    }
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function swapBytes(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
  return copy.swap16();
}

function decodeString(text: string, encoding: Encoding, limits: BodyLimits): BodyResult {
  if (encoding.compression) {
    return fail(
      'lossy-string-binding',
      `The body is ${encoding.compression}-compressed but arrived as a string (the binding decoded it as UTF-8, which loses bytes); register the trigger with dataType "binary".`,
    );
  }
  if (text.length > limits.maxDecodedBytes) return tooLarge(limits, 'has');
  if (encoding.charset && encoding.charset !== 'utf-8' && text.includes('\u0000')) {
    // The string binding decoded UTF-16 bytes as UTF-8. That is reversible only while every byte was ASCII.
    if (text.includes('\uFFFD')) {
      return fail(
        'lossy-string-binding',
        'A UTF-16 body arrived through the string binding with non-ASCII characters that UTF-8 decoding destroyed; register the trigger with dataType "binary".',
      );
    }
    return decodeBytes(Buffer.from(text, 'utf8'), encoding, limits);
  }
  return parseText(text, limits);
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function parseText(raw: string, limits: BodyLimits): BodyResult {
  // Fast path: a body that starts as an object is parsed as it is (JSON.parse allows the whitespace
  // trim would remove); anything else, or a parse error, takes the careful path below.
  if (raw.charCodeAt(0) === 0x7b /* { */) {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      value = undefined;
    }
    if (isJsonObject(value)) return checkDepth(value, limits);
  }
  const text = raw.replace(/^\uFEFF/, '').trim();
  if (text === '') return fail('empty-body', 'The body is empty or only whitespace.');
  const parsed = tryParse(text);
  if (parsed.ok) return asObject(parsed.value, limits);
  // IoT Hub base64-encodes bodies when the device sets no JSON content type/encoding.
  const compact = text.replace(/\s+/g, '');
  if (compact.length >= 4 && base64Pattern.test(compact)) {
    const decoded = tryParse(
      Buffer.from(compact, 'base64')
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
    if (decoded.ok && isJsonObject(decoded.value)) return checkDepth(decoded.value, limits);
  }
  return fail('invalid-json', `The body is not valid JSON (${parsed.error}); it starts with ${JSON.stringify(text.slice(0, 40))}.`);
}

function asObject(value: unknown, limits: BodyLimits): BodyResult {
  if (isJsonObject(value)) return checkDepth(value, limits);
  if (typeof value === 'string') return parseText(value, limits);
  return decodeBody(value, {}, limits);
}

/**
 * Refuses a body nested deeper than the limit (the SDK's serialiser, and ADT, would fail on it later)
 * and removes keys that could reach a prototype: the walk that checks the depth also looks at every
 * key, so a clean body costs nothing more; a body with such a key is copied without it.
 */
function checkDepth(body: JsonObject, limits: BodyLimits): BodyResult {
  const found = scan(body, limits.maxDepth);
  if (found & tooDeep) {
    return fail(
      'too-deep',
      `The JSON body nests deeper than ${limits.maxDepth} levels (ingest.options.maxBodyDepth); flatten the message.`,
    );
  }
  if (found & prototypeKey) {
    const prototypeKeys: string[] = [];
    return { ok: true, body: withoutPrototypeKeys(body, prototypeKeys) as JsonObject, prototypeKeys };
  }
  return { ok: true, body };
}

/** Levels the recursive walk may take; deeper limits are checked iteratively (no stack to overflow). */
const recursionLimit = 256;

/** What a scan finds, as bits: too deep ends the walk; a prototype key does not (the depth still counts). */
const tooDeep = 1;
const prototypeKey = 2;

/** Scans `node` (at depth 1) for values deeper than `maxDepth` and for prototype keys. Flat bodies cost one loop. */
function scan(node: object, maxDepth: number, depth = 1): number {
  if (depth > maxDepth) return tooDeep;
  if (maxDepth > recursionLimit) return scanIteratively(node, maxDepth);
  let found = 0;
  if (Array.isArray(node)) {
    for (const child of node) {
      if (typeof child !== 'object' || child === null) continue;
      found |= scan(child as object, maxDepth, depth + 1);
      if (found & tooDeep) return found;
    }
    return found;
  }
  for (const key of Object.keys(node)) {
    if (isPrototypeKey(key)) found |= prototypeKey;
    const child = (node as Record<string, unknown>)[key];
    if (typeof child !== 'object' || child === null) continue;
    found |= scan(child, maxDepth, depth + 1);
    if (found & tooDeep) return found;
  }
  return found;
}

function scanIteratively(body: object, maxDepth: number): number {
  let found = 0;
  const stack: Array<[unknown, number]> = [[body, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (depth > maxDepth) return found | tooDeep;
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const child of node) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
      continue;
    }
    for (const key of Object.keys(node)) {
      if (isPrototypeKey(key)) found |= prototypeKey;
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return found;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}
