export { ServiceLimits, adtDefaultLimits, retryAfterSeconds, type ServiceLimitsOptions, type OpCounters, type PayloadKind } from './serviceLimits';
export { adtModelUploadLimits, checkModelUpload, MAX_MODEL_REQUEST_BYTES, type ModelUploadLimits } from './modelUploadLimits';
