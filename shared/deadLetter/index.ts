// Dead letters: the document every refused message becomes, and where it is written.
export { BlobDeadLetterSink, type BlobSinkConnection } from './blobSink';
export { buildDeadLetterDocument, type DeadLetterBody, type DeadLetterDocument, type DeadLetterEvent, type DeadLetterInput, deadLetterName, deadLetterSchema, encodeBody, type RejectedPart } from './document';
export { FileDeadLetterSink } from './fileSink';
export { deadLetterSinkFromSettings } from './fromSettings';
export type { DeadLetterSink } from './sink';
