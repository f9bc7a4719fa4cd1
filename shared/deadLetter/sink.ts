// Where dead-letter documents go. A failed write must fail the invocation (the batch is then
// redelivered), so sinks throw instead of logging and carrying on.

import type { DeadLetterDocument } from './document';

export interface DeadLetterSink {
  /** Writes (or overwrites) the document under `name`. */
  write(name: string, document: DeadLetterDocument): Promise<void>;
  /** Human-readable target, for logs. */
  readonly target: string;
}
