export { adtLimits, adtNameProblem, adtValueProblem } from './adtLimits';
export { type DecodeFailure, type DecodeFailureReason, type DecodeResult, type DeviceMessage, isJsonObject, type JsonObject, type RawEvent } from './deviceMessage';
export { asBag, hasEntries, lookupProperty, PropertySlots } from './properties';
export { describeUpdatePath, type PropertyUpdate, valueSegments } from './propertyUpdate';
export { isPrototypeKey, prototypeKeyIn, withoutPrototypeKeys } from './prototypeKeys';
export type { DeadLetterReason, FilterReason } from './reasons';
export type { EventRefusal, Refusal } from './refusal';
export type { MissingTwinPolicy, RejectedUpdate, TwinUpdate, TwinUpdateResult } from './twinUpdate';
