// Metrics and traces (OpenTelemetry API: no-op until an SDK is registered). Recorded at the summary
// points of ingest, propagate, reconcile and the gateway's 429s; names in names.ts.
export { type AzureMonitorStart, type AzureMonitorState, resetAzureMonitorForTests, startAzureMonitor } from './azureMonitor';
export { recordConditionTransition, recordStalenessMark, recordSweep, type SweepNumbers } from './conditionMetrics';
export {
  type BatchTiming,
  type DeferralNumbers,
  type IngestBatchNumbers,
  type IngestedMessage,
  recordDeferral,
  recordIngestBatch,
} from './ingestMetrics';
export { durationBucketsSeconds, lagBucketsSeconds, meterName, type MetricName, metricNames, spanNames } from './names';
export {
  type PropagateEventNumbers,
  type PropagateEventTiming,
  type ReconcileNumbers,
  recordAdtThrottled,
  recordPropagateEvent,
  recordReconcile,
} from './propagateMetrics';
export { contextOf, spanContextOf } from './traceContext';
