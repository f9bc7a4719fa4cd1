// Dead letters: the document every refused message becomes, and where it is written.
export { blobStatusOf, conditionalBlobWrite, readBlobBody } from './blobConditions';
export { blobContainer, BlobDeadLetterSink, type BlobSinkConnection } from './blobSink';
export { BlobDeadLetterStore } from './blobStore';
export {
  buildDeadLetterDocument,
  type DeadLetterBody,
  type DeadLetterDocument,
  type DeadLetterEvent,
  type DeadLetterInput,
  deadLetterName,
  type DeadLetterReplay,
  deadLetterSchema,
  encodeBody,
  type RejectedPart,
} from './document';
export { FileDeadLetterSink } from './fileSink';
export { FileDeadLetterStore } from './fileStore';
export { deadLetterSinkFromSettings } from './fromSettings';
export type { DeadLetterSink } from './sink';
export { DeadLetterReadError, type DeadLetterStore, parseDeadLetterDocument, serializeDeadLetter, type StoredDeadLetter } from './store';
