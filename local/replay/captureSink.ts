// The replay's dead-letter sink: instead of writing, it keeps what the pipeline would have written,
// so the replay decides per document: gone (applied or filtered) or rewritten in place with history.

import type { DeadLetterDocument, DeadLetterSink } from '../../shared/deadLetter';

export interface CapturedDeadLetter {
  name: string;
  document: DeadLetterDocument;
}

export class CapturingDeadLetterSink implements DeadLetterSink {
  readonly target = 'the replay (documents are matched to the originals, then rewritten in place)';
  private captured: CapturedDeadLetter[] = [];

  async write(name: string, document: DeadLetterDocument): Promise<void> {
    this.captured.push({ name, document });
  }

  /** What was written since the last call. */
  drain(): CapturedDeadLetter[] {
    const taken = this.captured;
    this.captured = [];
    return taken;
  }
}
