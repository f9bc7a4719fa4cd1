export { buildPatch, requestGroups, storedSourceTime } from './patchBuilder';
export { writeTwinUpdate } from './twinWriter';
