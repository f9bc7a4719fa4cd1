// The one structured log line per ingest batch.

export interface BatchSummary {
  event: 'ingest.batch';
  partitionId?: string;
  received: number;
  applied: number;
  filtered: number;
  deadLettered: number;
  deadLetteredByReason: Record<string, number>;
  twinsPatched: number;
  twinsCreated: number;
  patches: number;
  operations: number;
  messagesCoalesced: number;
  telemetrySent: number;
  staleValuesSkipped: number;
  adtRequests: number;
  retries: number;
  throttled429: number;
  durationMs: number;
}
