export { decodeEvent, type DecodeOptions } from './decodeEvent';
export { safeMessageId } from './headerSafety';
export { normalizeOffset, normalizeSequenceNumber, normalizeTimestamp } from './normalize';
export { splitTriggerBatch } from './triggerBatch';
