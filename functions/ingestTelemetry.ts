// Event Hub (IoT Hub telemetry) → ADT. Registration and adaptation only: triggerMetadata becomes
// plain per-event records and shared/ingest/batch/processBatch does the work.

import { app, type EventHubFunctionOptions, type InvocationContext } from '@azure/functions';

import { sharedCredential } from '../shared/adt';
import { processBatch, splitTriggerBatch } from '../shared/ingest';
import { connections, settings } from '../shared/settings';
import { startAzureMonitor } from '../shared/telemetry';
import { type IngestRuntime, worker, workerConfig } from '../shared/worker';

// Metrics and traces to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set
// (idempotent: whichever function file the host loads first starts it).
startAzureMonitor({ credential: sharedCredential });

export type IngestHandler = (messages: unknown[], context: InvocationContext) => Promise<void>;

/** The partition comes from the batch's PartitionContext (or TriggerPartitionContext); it names dead letters and telemetry ids. */
export function partitionIdOf(triggerMetadata: Record<string, unknown> | undefined): string | undefined {
  const partitionContext = triggerMetadata?.partitionContext ?? triggerMetadata?.triggerPartitionContext;
  const id =
    typeof partitionContext === 'object' && partitionContext !== null
      ? (partitionContext as { partitionId?: unknown }).partitionId
      : undefined;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

export function createIngestHandler(runtime: () => IngestRuntime): IngestHandler {
  return async (messages, context) => {
    const events = splitTriggerBatch(messages, context.triggerMetadata);
    await processBatch(events, {
      ...runtime(),
      partitionId: partitionIdOf(context.triggerMetadata),
      log: (line) => context.info(JSON.stringify(line)),
    });
  };
}

export const ingestTelemetry: IngestHandler = createIngestHandler(() => worker().ingest);

/** The typings lack `dataType`, but the library passes every option through to the binding. */
type EventHubOptionsWithDataType = EventHubFunctionOptions<unknown[]> & { dataType: 'string' | 'binary' };

export const ingestTelemetryOptions: EventHubOptionsWithDataType = {
  connection: connections.eventHub,
  eventHubName: `%${settings.eventHubName.name}%`,
  consumerGroup: `%${settings.eventHubConsumerGroup.name}%`,
  cardinality: 'many',
  // 'binary': every body reaches us as its raw bytes, so one non-JSON body is dead-lettered alone
  // instead of the host failing the whole batch while JSON-deserialising it, and gzip or UTF-16
  // bodies can be decoded per content-encoding ('string' would already have mangled them as UTF-8).
  dataType: 'binary',
  // A thrown invocation (transient ADT failure past the deadline, failed dead-letter write) is
  // retried before the host checkpoints; re-applying a batch is idempotent.
  retry: { strategy: 'exponentialBackoff', maxRetryCount: 8, minimumInterval: { seconds: 5 }, maximumInterval: { minutes: 5 } },
  handler: ingestTelemetry,
};

app.eventHub<unknown[]>('ingestTelemetry', ingestTelemetryOptions);

// Read the pipeline configuration while the host loads the app: a broken file stops the worker from
// starting with the ConfigError's list of problems, instead of failing (and retrying) every batch.
workerConfig();
