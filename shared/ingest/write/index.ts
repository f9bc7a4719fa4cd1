export { applyLifecycle, type LifecycleOutcome } from './lifecycleWriter';
export { buildPatch, requestGroups, storedSourceTime } from './patchBuilder';
export { writeTwinUpdate } from './twinWriter';
