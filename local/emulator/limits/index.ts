export { adtModelUploadLimits, checkModelUpload, MAX_MODEL_REQUEST_BYTES, type ModelUploadLimits } from './modelUploadLimits';
export {
  adtDefaultLimits,
  type OpCounters,
  type PayloadKind,
  retryAfterSeconds,
  ServiceLimits,
  type ServiceLimitsOptions,
} from './serviceLimits';
