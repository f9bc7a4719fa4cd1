export { buildPatch, requestGroups, storedSourceTime } from './patchBuilder';
export { type TwinWriteOptions, writeTwinUpdate } from './twinWriter';
