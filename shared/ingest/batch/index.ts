export type { BatchSummary } from './batchSummary';
export type { LedgerEntry } from './ledger';
export { type BatchResult, processBatch, type ProcessBatchDeps, telemetryMessageId } from './processBatch';
