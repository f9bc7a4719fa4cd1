// Ingest: device messages → twin property updates and telemetry, by declarative configuration.
export type { BatchSummary } from './batchSummary';
export { compileIngest, defaultIngestOptions, defaultQueryCache } from './compileIngest';
export { decodeEvent,type DecodeOptions } from './decodeEvent';
export type { DeviceMessage, JsonObject, RawEvent } from './deviceMessage';
export type * from './ingestConfig';
export type { LedgerEntry } from './ledger';
export { mapMessage, mappersFor, mapWith } from './mapMessage';
export type { Mapper } from './mapper';
export type { MappingContext } from './mappingContext';
export type * from './mappingResult';
export { MODEL_RULE } from './messageMapping';
export { createIngestPlanner, type IngestPlan, type IngestPlanner, planIngest,type PlannedTelemetry } from './planner';
export { type BatchResult, processBatch, type ProcessBatchDeps, telemetryMessageId } from './processBatch';
export { describeUpdatePath, type PropertyUpdate } from './propertyUpdate';
export { splitTriggerBatch } from './triggerBatch';
export { createTwinIdResolver, type TwinIdResolver, twinsFromRows } from './twinResolver';
export type * from './twinUpdate';
export { writeTwinUpdate } from './twinWriter';
