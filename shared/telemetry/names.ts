// The one catalogue of what the pipeline emits: metric and span names, their attributes. The
// alerts and the workbook in infra/ query these names (test/infra checks they match), so rename
// here and there together. Dots are OpenTelemetry style; Application Insights keeps them as the
// customMetrics name, the Prometheus exporter turns them into underscores (counters get _total).

export const meterName = 'adt-twin-pipeline';

export const metricNames = {
  /** Every ingest message once: attributes outcome (applied | filtered | dead-lettered) and reason. */
  ingestMessages: 'pipeline.ingest.messages',
  ingestSources: 'pipeline.ingest.sources',
  ingestBatches: 'pipeline.ingest.batches',
  ingestTwinsPatched: 'pipeline.ingest.twins_patched',
  /** Values folded into a newer value of the same twin property within a batch. */
  ingestValuesCoalesced: 'pipeline.ingest.values_coalesced',
  ingestStaleSkipped: 'pipeline.ingest.stale_skipped',
  /** Values not written because they were not worth a write (issue 25), attribute reason (unchanged | within-deadband). */
  ingestWritesSuppressed: 'pipeline.ingest.writes_suppressed',
  /** Values written only because their maxAge heartbeat was due. */
  ingestHeartbeatWrites: 'pipeline.ingest.heartbeat_writes',
  ingestTelemetrySent: 'pipeline.ingest.telemetry_sent',
  /** Seconds from the hub's enqueued time to the end of the batch that applied it, one sample per message. */
  ingestLag: 'pipeline.ingest.lag',
  ingestBatchDuration: 'pipeline.ingest.batch_duration',
  /** Values an invocation could not write within its write window, stored durably for the drainer (shared/ingest/defer). */
  ingestValuesDeferred: 'pipeline.ingest.values_deferred',
  /** Deferred values the drainer wrote to ADT (ingest invocations and the drain timer). */
  ingestValuesDrained: 'pipeline.ingest.values_drained',
  /** Deferred twins the drain timer found in the store, one sample per run. */
  ingestDeferredTwins: 'pipeline.ingest.deferred_twins',
  /** Seconds the longest-waiting deferred twin had waited, one sample per drain. */
  ingestDeferredOldestAge: 'pipeline.ingest.deferred_oldest_age',
  /** 429s ADT answered, attribute operation (getTwin, updateTwin, query, …). */
  adtThrottled: 'pipeline.adt.throttled',
  /** Requests retried after a transient failure, attribute function (ingest | propagate). */
  adtRetries: 'pipeline.adt.retries',
  /** Every change notification once: attributes outcome (processed | ignored | malformed | rejected), type. */
  propagateEvents: 'pipeline.propagate.events',
  propagateWrites: 'pipeline.propagate.writes',
  propagateUnchanged: 'pipeline.propagate.unchanged',
  propagateHopLimited: 'pipeline.propagate.hop_limited',
  propagateDeadLettered: 'pipeline.propagate.dead_lettered',
  /** Parents a reconcile run visited, attribute result (written | unchanged | failed). */
  reconcileParents: 'pipeline.reconcile.parents',
  /** Condition states written, attributes condition and to (raised | cleared). */
  conditionTransitions: 'pipeline.conditions.transitions',
  /** Twins marked by staleness, attribute to (stale | fresh). */
  stalenessMarks: 'pipeline.staleness.marks',
  /** Sweep runs, attribute capped (true when its bound left rows or pages for the next run). */
  sweepRuns: 'pipeline.sweep.runs',
  /** ADT queries one sweep sent (one per condition with a duration, one per staleness entry). */
  sweepQueries: 'pipeline.sweep.queries',
  /** Query pages the sweep received. */
  sweepPages: 'pipeline.sweep.pages',
  /** Query Units (ADT's query-charge header) the sweep's pages cost. */
  sweepQueryUnits: 'pipeline.sweep.query_units',
  /** Twins (rows) the sweep's queries returned, attribute kind (pending | stale). */
  sweepTwins: 'pipeline.sweep.twins',
} as const;

export type MetricName = (typeof metricNames)[keyof typeof metricNames];

export const spanNames = {
  /** One per ingest batch, linked to every device traceparent in it. */
  ingestBatch: 'ingest.batch',
  /** One per change notification, a child of the trace the notification carries (the device's). */
  propagateEvent: 'propagate.event',
} as const;

/** Lag buckets in seconds: sub-second when healthy, minutes when a partition falls behind. */
export const lagBucketsSeconds = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Batch durations in seconds: the deadline (INGEST_DEADLINE_SECONDS) defaults to 240. */
export const durationBucketsSeconds = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 240];
