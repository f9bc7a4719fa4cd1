export { ServiceLimits, adtDefaultLimits, retryAfterSeconds, type ServiceLimitsOptions, type OpCounters } from './serviceLimits';
