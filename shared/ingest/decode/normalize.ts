// Normalises the loosely typed values the Functions host puts in triggerMetadata (see
// functions-and-bicep.md §1.3): DateTimes without an offset, int64 as {low,high}, numeric strings.

import { isCanonicalUtc } from '../../common';

const zonePattern = /(?:Z|[+-]\d{2}:?\d{2})$/i;
const isoLike = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?/;

/**
 * Returns an ISO 8601 UTC string with `Z`, or undefined. A date-time without an offset is UTC: the
 * host serialises .NET `DateTime` (Kind=Utc) without `Z`, and `new Date()` would read it as local time.
 */
export function normalizeTimestamp(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? safeIso(new Date(value)) : undefined;
  if (typeof value !== 'string') return undefined;
  // Fast path: already canonical (what devices and IoT Hub send most): valid as it is.
  if (isCanonicalUtc(value)) return value;
  const text = value.trim();
  if (!isoLike.test(text)) return undefined;
  const withZone = zonePattern.test(text) ? text : `${text}Z`;
  return safeIso(new Date(withZone.replace(' ', 'T')));
}

function safeIso(date: Date): string | undefined {
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

function isLongLike(value: unknown): value is LongLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { low?: unknown }).low === 'number' &&
    typeof (value as { high?: unknown }).high === 'number'
  );
}

/** Sequence numbers arrive as numbers, `Long`-like `{low, high, unsigned}`, bigint or numeric strings. */
export function normalizeSequenceNumber(value: unknown): number | undefined {
  let result: number | undefined;
  if (typeof value === 'number') result = value;
  else if (typeof value === 'bigint') result = Number(value);
  else if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) result = Number(value.trim());
  else if (isLongLike(value)) {
    // low is a signed 32-bit word in protobufjs' Long; `>>> 0` reinterprets it as unsigned.
    const high = value.unsigned ? value.high >>> 0 : value.high;
    result = high * 2 ** 32 + (value.low >>> 0);
  }
  return result !== undefined && Number.isSafeInteger(result) ? result : undefined;
}

/**
 * Offsets are opaque strings to us; the host may hand them over as numbers after tryJsonParse. -1 is
 * no position: the host's numeric offset on a geo-replicated namespace (the offset string has it).
 */
export function normalizeOffset(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' || value === '-1' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'bigint') return value === -1 || value === -1n ? undefined : String(value);
  const sequence = isLongLike(value) ? normalizeSequenceNumber(value) : undefined;
  return sequence === undefined ? undefined : String(sequence);
}

export function optionalString(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
