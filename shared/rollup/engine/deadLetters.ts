// Permanent propagate failures become dead letters in the same sinks as ingest: the event as it
// arrived, the rule, the parent and the reason, so nothing fails silently and an operator can
// fix the rule or the model and replay (or run reconcile).
import { buildDeadLetterDocument, deadLetterName, type DeadLetterSink } from '../../deadLetter';

export interface PropagateDeadLetter {
  /** The delivered event, byte-exact as far as JSON allows (undefined for a trailing refresh). */
  event: unknown;
  eventId: string | undefined;
  eventType: string | undefined;
  /** propagate-malformed, propagate-expression, propagate-maxChildren, propagate-rejectedWrite, propagate-adt. */
  reason: string;
  detail: string;
  rule?: string;
  parentId?: string;
}

export async function writePropagateDeadLetter(sink: DeadLetterSink, letter: PropagateDeadLetter, at: Date): Promise<string> {
  const document = buildDeadLetterDocument({
    event: {
      body: letter.event,
      properties: {
        source: 'propagate',
        eventType: letter.eventType,
        ...(letter.rule !== undefined && { rule: letter.rule }),
        ...(letter.parentId !== undefined && { parentId: letter.parentId }),
      },
    },
    reason: letter.reason,
    detail: letter.detail,
    at,
    partitionId: 'propagate',
    // One document per event, parent and rule: a redelivered event overwrites its own.
    messageId: [letter.eventId ?? `at-${at.getTime()}`, letter.parentId, letter.rule].filter((p) => p !== undefined).join('.'),
  });
  const name = deadLetterName(document, `${at.getTime()}`);
  await sink.write(name, document);
  return name;
}
