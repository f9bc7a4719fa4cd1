// A dead letter back into the event the trigger handed over: the same body bytes (or the same parsed
// value), application and system properties, enqueued time, sequence number and offset. Decoding it
// again therefore sees exactly what the first attempt saw; only the configuration may differ.

import type { DeadLetterBody, DeadLetterDocument } from '../../shared/deadLetter';
import type { RawEvent } from '../../shared/ingest';

/** Bytes stay bytes (the deployed trigger binds with dataType 'binary'); a parsed body stays parsed. */
export function bodyOf(body: DeadLetterBody): unknown {
  switch (body.encoding) {
    case 'utf8':
      return Buffer.from(body.value, 'utf8');
    case 'base64':
      return Buffer.from(body.value, 'base64');
    case 'json':
      // A copy: mapping must never be able to change the document that may be written back.
      return structuredClone(body.value);
    case 'none':
      return undefined;
  }
}

/** `index`: the event's position in its replay batch (the event key when it has no sequence number). */
export function rawEventOf(document: DeadLetterDocument, index: number): RawEvent {
  return {
    body: bodyOf(document.body),
    index,
    properties: structuredClone(document.properties),
    systemProperties: structuredClone(document.systemProperties),
    ...(document.enqueuedTime !== undefined && { enqueuedTimeUtc: document.enqueuedTime }),
    ...(document.sequenceNumber !== undefined && { sequenceNumber: document.sequenceNumber }),
    ...(document.offset !== undefined && { offset: document.offset }),
  };
}
