export { adtLimits, adtNameProblem, adtValueProblem } from './adtLimits';
export {
  type DecodeFailure,
  type DecodeFailureReason,
  type DecodeResult,
  type DeviceMessage,
  isJsonObject,
  type JsonObject,
  type RawEvent,
} from './deviceMessage';
export type { LifecycleAction } from './lifecycle';
export { type MessageKind, messageKinds, type MessageSource, telemetrySource } from './messageSource';
export { asBag, hasEntries, lookupProperty, PropertySlots } from './properties';
export { describeUpdatePath, type EventOrder, type PropertyUpdate, valueSegments } from './propertyUpdate';
export { isPrototypeKey, prototypeKeyIn, withoutPrototypeKeys } from './prototypeKeys';
export type { DeadLetterReason, FilterReason } from './reasons';
export type { EventRefusal, Refusal } from './refusal';
export type { Reading, SkippedReadingReason, StatefulKind, StatefulStep, StatefulTransform } from './statefulReading';
export type { MissingTwinPolicy, RejectedUpdate, TwinUpdate, TwinUpdateResult } from './twinUpdate';
