export { applyLifecycle, type LifecycleOutcome } from './lifecycleWriter';
export { buildPatch, requestGroups, storedSourceTime } from './patchBuilder';
export {
  decideWrite,
  sameJson,
  type SignificanceOf,
  significanceResolver,
  type StoredProperty,
  type SuppressReason,
  withinDeadband,
  type WriteDecision,
  type WriteSignificance,
} from './significance';
export { type FoldOutcome, foldReadings, inFoldOrder, type StatefulState } from './statefulValues';
export { hasStatefulUpdates, type StatefulWrites, statefulWrites, storedState } from './statefulWrites';
export { type TwinWriteOptions, writeTwinUpdate } from './twinWriter';
