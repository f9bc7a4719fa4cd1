export type { BatchSummary } from './batchSummary';
export type { LedgerEntry } from './ledger';
export { PartitionHandovers } from './partitionHandover';
export { type BatchResult, processBatch, type ProcessBatchDeps, telemetryMessageId } from './processBatch';
