// A document dead-lettered again: the latest outcome on top, the earlier ones in `replays`.

import type { DeadLetterDocument } from '../../shared/deadLetter';

/**
 * The original keeps its body, properties and position byte-exact (it is the record of what the
 * device sent); reason, detail, time and rejected parts become the new attempt's; the outcome they
 * replace is appended to `replays`, so the history reads oldest first and nothing is lost.
 */
export function withReplayHistory(original: DeadLetterDocument, again: DeadLetterDocument): DeadLetterDocument {
  return {
    ...original,
    reason: again.reason,
    detail: again.detail,
    deadLetteredAt: again.deadLetteredAt,
    rejectedParts: again.rejectedParts,
    // A changed device-id setting may now find ids the first attempt could not.
    ...(again.messageId !== undefined && { messageId: again.messageId }),
    ...(again.deviceId !== undefined && { deviceId: again.deviceId }),
    replays: [...(original.replays ?? []), { at: original.deadLetteredAt, reason: original.reason, detail: original.detail }],
  };
}
