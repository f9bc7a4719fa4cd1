// The core's small shared vocabulary: time, bounded memory, JSON Pointers, source-time order, error text.
export { type Clock, systemClock } from './clock';
export { closestNames, didYouMean } from './didYouMean';
export { errorMessage } from './errorMessage';
export { isCanonicalUtc, parseIsoMillis } from './isoTime';
export {
  describeUnknownFunction,
  type FunctionCall,
  JSONATA_BUILT_INS,
  jsonataErrorMessage,
  unknownFunctionCalls,
} from './jsonataFunctions';
export { jsonataGuardrails, loadJsonata } from './jsonataGuardrails';
export { escapePointerSegment, parsePointer, toPointer, unescapePointerSegment } from './jsonPointer';
export { KeyedMemo } from './keyedMemo';
export { LruCache, type LruCacheOptions } from './lruCache';
export { escapeQueryString, quoteQueryString } from './queryLiteral';
export { compareSourceTimes, isOlder, latestSourceTime } from './sourceTime';
export { startLimited } from './startLimited';
