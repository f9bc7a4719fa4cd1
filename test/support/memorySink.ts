// A dead-letter sink that keeps documents in memory, for tests that read back what was refused.
import type { DeadLetterDocument, DeadLetterSink } from '../../shared/deadLetter';

export class MemorySink implements DeadLetterSink {
  readonly target = 'memory';
  readonly documents: DeadLetterDocument[] = [];
  async write(_name: string, document: DeadLetterDocument): Promise<void> {
    this.documents.push(document);
  }
}
