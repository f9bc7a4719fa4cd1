// The dead-letter record: one JSON document per rejected message, with everything needed to
// understand and replay it. Blob/file names are derived from partition and sequence number, so a
// redelivered batch overwrites its earlier documents instead of duplicating them.

export const deadLetterSchema = 'adt-ingest-dead-letter/1';

export type DeadLetterBody =
  | { encoding: 'json'; value: unknown }
  | { encoding: 'utf8'; value: string }
  | { encoding: 'base64'; value: string }
  | { encoding: 'none'; value: null };

/** A part of a message that ADT or the model rejected while other parts may have been applied. */
export interface RejectedPart {
  twinId: string;
  path: string;
  value: unknown;
  reason: string;
  detail: string;
}

/** An earlier outcome of a document that a replay dead-lettered again (see local/replay). */
export interface DeadLetterReplay {
  /** When that outcome was recorded: the document's deadLetteredAt at the time. */
  at: string;
  reason: string;
  detail: string;
}

export interface DeadLetterDocument {
  schema: typeof deadLetterSchema;
  /** Machine-readable reason code, e.g. invalid-json, unknown-twin, invalid-value. */
  reason: string;
  detail: string;
  /** When the document was written (ISO 8601). */
  deadLetteredAt: string;
  messageId?: string;
  deviceId?: string;
  partitionId?: string;
  sequenceNumber?: number;
  offset?: string;
  enqueuedTime?: string;
  body: DeadLetterBody;
  properties: Record<string, unknown>;
  systemProperties: Record<string, unknown>;
  rejectedParts: RejectedPart[];
  /**
   * Earlier outcomes, oldest first, when a replay dead-lettered this message again: the top-level
   * reason, detail and deadLetteredAt describe the latest attempt. Absent until the first replay.
   */
  replays?: DeadLetterReplay[];
}

/** The original event as it arrived (an Event Hub event, an HTTP envelope): kept byte-exact. */
export interface DeadLetterEvent {
  body: unknown;
  properties?: unknown;
  systemProperties?: unknown;
}

export interface DeadLetterInput {
  event: DeadLetterEvent;
  reason: string;
  detail: string;
  at: Date;
  partitionId?: string;
  sequenceNumber?: number;
  offset?: string;
  enqueuedTime?: string;
  messageId?: string;
  deviceId?: string;
  rejectedParts?: RejectedPart[];
}

export function buildDeadLetterDocument(input: DeadLetterInput): DeadLetterDocument {
  return {
    schema: deadLetterSchema,
    reason: input.reason,
    detail: input.detail,
    deadLetteredAt: input.at.toISOString(),
    messageId: input.messageId,
    deviceId: input.deviceId,
    partitionId: input.partitionId,
    sequenceNumber: input.sequenceNumber,
    offset: input.offset,
    enqueuedTime: input.enqueuedTime,
    body: encodeBody(input.event.body),
    properties: plainObject(input.event.properties),
    systemProperties: plainObject(input.event.systemProperties),
    rejectedParts: input.rejectedParts ?? [],
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Readable text stays text so an operator can read the dead letter; other bytes are kept as base64. */
function encodeBytes(bytes: Uint8Array): DeadLetterBody {
  try {
    const text = strictUtf8.decode(bytes);
    // Control characters other than whitespace mean binary that happens to be valid UTF-8.
    // eslint-disable-next-line no-control-regex -- detecting control characters is the point
    if (!/[\u0000-\u0008\u000e-\u001f]/.test(text)) return { encoding: 'utf8', value: text };
  } catch {
    // not UTF-8: fall through
  }
  return { encoding: 'base64', value: Buffer.from(bytes).toString('base64') };
}

/** The original body, byte-exact: UTF-8 text as text, anything else as base64. */
export function encodeBody(body: unknown): DeadLetterBody {
  if (body === undefined || body === null) return { encoding: 'none', value: null };
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) return encodeBytes(body);
  if (typeof body === 'string') return { encoding: 'utf8', value: body };
  return { encoding: 'json', value: body };
}

function plainObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
}

/** `<partition>/<sequence>.json`; falls back to the message id, then the batch position. */
export function deadLetterName(document: DeadLetterDocument, fallbackKey: string): string {
  const safe = (text: string): string => text.replace(/[^A-Za-z0-9._-]/g, '_');
  const partition = safe(document.partitionId ?? 'unknown-partition');
  const key = document.sequenceNumber !== undefined ? String(document.sequenceNumber) : safe(document.messageId ?? fallbackKey);
  return `${partition}/${key}.json`;
}
