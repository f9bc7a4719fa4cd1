export { buildPatch, requestGroups, storedSourceTime } from './patchBuilder';
export { writeTwinUpdate } from './twinWriter';
export { decideWrite, sameJson, type SignificanceOf, significanceResolver, type StoredProperty, type SuppressReason, type WriteDecision, type WriteSignificance, withinDeadband } from './significance';
