// Ingest: device messages → twin property updates and telemetry, by declarative configuration.
export type { BatchSummary } from './batchSummary';
export { compileIngest, defaultIngestOptions, defaultQueryCache } from './compileIngest';
export { type DecodeOptions, decodeEvent } from './decodeEvent';
export type { DeviceMessage, JsonObject, RawEvent } from './deviceMessage';
export type * from './ingestConfig';
export type { LedgerEntry } from './ledger';
export { type Mapper, type MappingContext, mapMessage, mappersFor, mapWith } from './mapper';
export type * from './mappingResult';
export { MODEL_RULE } from './messageMapping';
export { createIngestPlanner, type IngestPlan, type IngestPlanner, type PlannedTelemetry, planIngest } from './planner';
export { type BatchResult, processBatch, type ProcessBatchDeps, telemetryMessageId } from './processBatch';
export { describeUpdatePath, type PropertyUpdate } from './propertyUpdate';
export { splitTriggerBatch } from './triggerBatch';
export { createTwinIdResolver, type TwinIdResolver, twinsFromRows } from './twinResolver';
export type * from './twinUpdate';
export { writeTwinUpdate } from './twinWriter';
