export { defaultBodyLimits } from './decodeBody';
export { decodeEvent, type DecodeOptions, defaultDecodeOptions } from './decodeEvent';
export { safeMessageId } from './headerSafety';
export { normalizeOffset, normalizeSequenceNumber, normalizeTimestamp } from './normalize';
export { splitTriggerBatch } from './triggerBatch';
