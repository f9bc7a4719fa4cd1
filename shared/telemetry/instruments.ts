// Instruments, created from whatever meter provider is registered now. The API hands out no-op
// instruments while no SDK is registered and they stay no-op forever, so they are re-created when
// the registered provider changes (the local runner registers one per run, Azure Monitor once).
// The check is one reference comparison per recording call: the hot path stays cheap.
import { type Counter, createNoopMeter, type Histogram, type MeterProvider, metrics } from '@opentelemetry/api';

import { durationBucketsSeconds, lagBucketsSeconds, meterName, metricNames } from './names';

export interface Instruments {
  /** No SDK behind them: per-message work (lag samples) can be skipped. */
  noop: boolean;
  ingestMessages: Counter;
  ingestBatches: Counter;
  ingestSources: Counter;
  ingestTwinsPatched: Counter;
  ingestValuesCoalesced: Counter;
  ingestStaleSkipped: Counter;
  ingestWritesSuppressed: Counter;
  ingestHeartbeatWrites: Counter;
  ingestTelemetrySent: Counter;
  ingestLag: Histogram;
  ingestBatchDuration: Histogram;
  ingestValuesDeferred: Counter;
  ingestValuesDrained: Counter;
  ingestDeferredTwins: Histogram;
  ingestDeferredOldestAge: Histogram;
  adtThrottled: Counter;
  adtRetries: Counter;
  propagateEvents: Counter;
  propagateWrites: Counter;
  propagateUnchanged: Counter;
  propagateHopLimited: Counter;
  propagateDeadLettered: Counter;
  reconcileParents: Counter;
  conditionTransitions: Counter;
  stalenessMarks: Counter;
  sweepRuns: Counter;
  sweepQueries: Counter;
  sweepPages: Counter;
  sweepQueryUnits: Counter;
  sweepTwins: Counter;
}

let current: { provider: MeterProvider; instruments: Instruments } | undefined;

export function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (current?.provider !== provider) current = { provider, instruments: create(provider) };
  return current.instruments;
}

function create(provider: MeterProvider): Instruments {
  const meter = provider.getMeter(meterName);
  const counter = (name: string, description: string) => meter.createCounter(name, { description });
  const ingestLag = meter.createHistogram(metricNames.ingestLag, {
    description: 'Seconds from the hub enqueued time to the end of the batch that applied the message.',
    unit: 's',
    advice: { explicitBucketBoundaries: lagBucketsSeconds },
  });
  return {
    // The API's no-op meter hands out one shared histogram: ours is it when no SDK is registered.
    noop: ingestLag === createNoopMeter().createHistogram(metricNames.ingestLag),
    ingestMessages: counter(metricNames.ingestMessages, 'Ingest messages by outcome (applied, filtered, dead-lettered) and reason.'),
    ingestBatches: counter(metricNames.ingestBatches, 'Ingest batches completed.'),
    ingestSources: counter(
      metricNames.ingestSources,
      'Ingest events by iothub-message-source (telemetry, deviceConnectionStateEvents, …; undecoded).',
    ),
    ingestTwinsPatched: counter(metricNames.ingestTwinsPatched, 'Twins patched by ingest.'),
    ingestValuesCoalesced: counter(
      metricNames.ingestValuesCoalesced,
      'Values superseded by a newer value of the same property in a batch.',
    ),
    ingestStaleSkipped: counter(metricNames.ingestStaleSkipped, 'Values older than what the twin stores, not written.'),
    ingestWritesSuppressed: counter(
      metricNames.ingestWritesSuppressed,
      'Values equal to (or within the deadband of) what the twin stores, not written; attribute reason.',
    ),
    ingestHeartbeatWrites: counter(metricNames.ingestHeartbeatWrites, 'Unchanged values written because their maxAge heartbeat was due.'),
    ingestTelemetrySent: counter(metricNames.ingestTelemetrySent, 'Telemetry messages published to ADT.'),
    ingestLag,
    ingestBatchDuration: meter.createHistogram(metricNames.ingestBatchDuration, {
      description: 'Seconds one ingest batch took.',
      unit: 's',
      advice: { explicitBucketBoundaries: durationBucketsSeconds },
    }),
    ingestValuesDeferred: counter(
      metricNames.ingestValuesDeferred,
      'Values stored in the deferred-values store because the write window was full.',
    ),
    ingestValuesDrained: counter(metricNames.ingestValuesDrained, 'Deferred values written to ADT by the drainer.'),
    ingestDeferredTwins: meter.createHistogram(metricNames.ingestDeferredTwins, {
      description: 'Deferred twins in the store, sampled by the drain timer.',
    }),
    ingestDeferredOldestAge: meter.createHistogram(metricNames.ingestDeferredOldestAge, {
      description: 'Seconds the longest-waiting deferred twin had waited when a drain saw it.',
      unit: 's',
      advice: { explicitBucketBoundaries: lagBucketsSeconds },
    }),
    adtThrottled: counter(metricNames.adtThrottled, 'ADT 429 answers by operation.'),
    adtRetries: counter(metricNames.adtRetries, 'ADT requests retried after a transient failure.'),
    propagateEvents: counter(metricNames.propagateEvents, 'Change notifications by outcome and type.'),
    propagateWrites: counter(metricNames.propagateWrites, 'Derived values written to parent twins.'),
    propagateUnchanged: counter(metricNames.propagateUnchanged, 'Parent recomputes that found nothing to write.'),
    propagateHopLimited: counter(metricNames.propagateHopLimited, 'Parent writes stopped by the hop limit (a cycle in the twin graph).'),
    propagateDeadLettered: counter(metricNames.propagateDeadLettered, 'Propagate failures dead-lettered.'),
    reconcileParents: counter(metricNames.reconcileParents, 'Parents visited by reconcile, by result.'),
    conditionTransitions: counter(metricNames.conditionTransitions, 'Condition states written (raised, cleared), by condition.'),
    stalenessMarks: counter(metricNames.stalenessMarks, 'Twins marked stale by the sweep, or fresh again by their next change.'),
    sweepRuns: counter(metricNames.sweepRuns, 'Conditions sweep runs; capped=true when the run bound left work for the next run.'),
    sweepQueries: counter(metricNames.sweepQueries, 'ADT queries sent by the conditions and staleness sweep.'),
    sweepPages: counter(metricNames.sweepPages, 'Query pages the conditions sweep received.'),
    sweepQueryUnits: meter.createCounter(metricNames.sweepQueryUnits, {
      description: "Query Units (ADT's query-charge) the conditions sweep's query pages cost.",
      unit: '{QU}',
    }),
    sweepTwins: counter(metricNames.sweepTwins, 'Twins the sweep found: holding a pending duration, or not written for maxAge.'),
  };
}
