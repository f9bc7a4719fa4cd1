// Defer: when a batch's twins cannot all be written within the invocation's write window, the most
// valuable are written now and the latest values of the rest are stored durably (one entry per twin)
// and drained to ADT at its budget (at the start of ingest invocations and by the drain timer).
export { BlobDeferredValuesStore } from './blobStore';
export { readBucket, updateBucket } from './bucketUpdate';
export {
  type Deferral,
  deferralDefaults,
  deferralSettings,
  deferredValuesStoreFromSettings,
  openWriteWindow,
  writeCapacity,
  type WriteWindow,
} from './deferral';
export {
  bucketOf,
  type DeferredBucket,
  DeferredDocumentError,
  deferredSchema,
  type DeferredTwin,
  deferredTwinOf,
  type DeferredValue,
  emptyBucket,
  mergeBucket,
  mergeTwin,
  newerValue,
  parseDeferredBucket,
  removeWritten,
  twinUpdateOf,
} from './deferredValues';
export { deferTwinUpdates } from './deferWrite';
export { DeferredDrainer, type DrainDeps, type DrainResult, emptyDrain } from './drainer';
export { drainDeferredValues, type DrainRunSummary } from './drainRun';
export { FolderDeferredValuesStore } from './folderStore';
export { byValue, changeScore, chooseWriteNow } from './priority';
export type { DeferredValuesStore, StoredBucket } from './store';
