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
export { type TwinWriteOptions, writeTwinUpdate } from './twinWriter';
export { type FoldOutcome, foldReadings, inFoldOrder, type StatefulState } from './statefulValues';
export { hasStatefulUpdates, storedState, statefulWrites, type StatefulWrites } from './statefulWrites';
