// Reading dead letters back, for replay: list the stored documents, read one, rewrite it or remove it.
// Each read carries a version (a blob's ETag, a file's exact text) so a rewrite or removal never
// clobbers a document the ingest function wrote again in the meantime (a redelivered batch).

import { type DeadLetterDocument, deadLetterSchema } from './document';
import type { DeadLetterSink } from './sink';

export interface StoredDeadLetter {
  /** `<partition>/<sequence>.json`, relative to the store, `/`-separated. */
  name: string;
  document: DeadLetterDocument;
  /** Opaque: what the document looked like when read. */
  version: string;
}

export interface DeadLetterStore extends DeadLetterSink {
  /** Every document name in the store (`*.json`), sorted. */
  list(): Promise<string[]>;
  /** Throws DeadLetterReadError when the document is not JSON or not a dead letter. */
  read(name: string): Promise<StoredDeadLetter>;
  /** Overwrites the document unless it changed since it was read; false = it changed, nothing written. */
  rewrite(stored: StoredDeadLetter, document: DeadLetterDocument): Promise<boolean>;
  /** Removes the document unless it changed since it was read; false = it changed (or is gone), kept. */
  remove(stored: StoredDeadLetter): Promise<boolean>;
}

export class DeadLetterReadError extends Error {
  constructor(
    readonly documentName: string,
    problem: string,
  ) {
    super(`${documentName}: ${problem}`);
    this.name = 'DeadLetterReadError';
  }
}

/** Parses and checks a stored document: only what replay needs to rebuild the event is required. */
export function parseDeadLetterDocument(name: string, text: string): DeadLetterDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DeadLetterReadError(name, `not JSON (${(error as Error).message}); fix or remove the file.`);
  }
  const doc = value as Partial<DeadLetterDocument> | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new DeadLetterReadError(name, 'not a JSON object.');
  if (doc.schema !== deadLetterSchema)
    throw new DeadLetterReadError(name, `schema is ${JSON.stringify(doc.schema)}, expected "${deadLetterSchema}".`);
  if (typeof doc.reason !== 'string') throw new DeadLetterReadError(name, 'has no reason.');
  const body = doc.body as { encoding?: unknown; value?: unknown } | undefined;
  const bodyOk =
    (body?.encoding === 'json' && 'value' in body) ||
    ((body?.encoding === 'utf8' || body?.encoding === 'base64') && typeof body.value === 'string') ||
    (body?.encoding === 'none' && body.value === null);
  if (!bodyOk) throw new DeadLetterReadError(name, 'body must be {encoding: json|utf8|base64|none, value}.');
  return doc as DeadLetterDocument;
}

/** The text both stores write: the sinks' format, so a rewritten document reads like a fresh one. */
export function serializeDeadLetter(document: DeadLetterDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
