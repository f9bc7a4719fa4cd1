// The one gateway to Azure Digital Twins and the wire shapes it exchanges.
export { KeyedLimiter } from './concurrency';
export { AdtDeadlineExceededError, type AdtFailureKind, AdtRequestError, isRetriable, parseRetryAfter } from './errors';
export { AdtGateway, type CallContext, type GatewayOptions, type TwinRead, type TwinSession } from './gateway';
export {
  AdtJobsClient,
  type AdtJobsClientOptions,
  type DeleteJob,
  type DeleteJobStatus,
  type ImportJob,
  type ImportJobStatus,
  type JobError,
  JOBS_API_VERSION,
  JobWaitTimeoutError,
  type WaitOptions,
} from './jobsClient';
export { KeepAliveHttpClient, type KeepAliveHttpClientOptions } from './keepAliveHttpClient';
export { defaultGatewayLimits, type GatewayLimits, gatewayLimitsFromSettings } from './limits';
export { RateLimiter, slidingWindowBudget } from './rateLimiter';
export { backoff, type CallStats, callWithRetry, countQueryPage, defaultRetryPolicy, emptyCallStats, type RetryPolicy } from './retry';
export { type AdtClientOptions, createAdtClient, setAdtClientDefaults, sharedCredential } from './sdkClient';
export { SdkAdtPort, toAdtRequestError } from './sdkPort';
export { gatewayRetryAfterHeader, GatewayTransport } from './sdkTransport';
export { type CachedTwin, defaultGuardCacheSize, defaultTwinCacheSize, TwinCache } from './twinCache';
export type {
  AdtPort,
  IncomingRelationship,
  JsonPatchOperation,
  PortCallOptions,
  PropertyMetadata,
  QueryPage,
  QueryPageRequest,
  Relationship,
  TelemetryMessage,
  Twin,
} from './types';
