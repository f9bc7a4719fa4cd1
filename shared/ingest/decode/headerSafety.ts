// Values that end up in HTTP headers of ADT requests (traceparent, telemetry Message-Id) come from
// devices. One with a CR/LF or a non-Latin-1 character makes Node refuse the whole request with a
// TypeError, which is no ADT answer: such values are made safe before any request is built.

import { createHash } from 'node:crypto';

const w3cTraceparent = /^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The traceparent when it is valid W3C trace context (version ff is invalid), else undefined. */
export function validTraceparent(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return w3cTraceparent.test(trimmed) && !trimmed.startsWith('ff') ? trimmed : undefined;
}

/** Visible ASCII only, and short enough for a header ADT de-duplicates on. */
const headerSafe = /^[\x21-\x7e]{1,128}$/;

/**
 * A telemetry Message-Id that is safe in a header. A safe id is kept as it is; any other becomes a
 * digest of it, so a redelivered message gets the same id and ADT still de-duplicates it.
 */
export function safeMessageId(id: string): string {
  if (headerSafe.test(id)) return id;
  return `sha256-${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 40)}`;
}
