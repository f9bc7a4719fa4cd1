// Builds what the Functions host sends the Node worker for one Event Hub batch (cardinality many),
// so the ingest function runs offline through the same @azure/functions conversion as in Azure:
// bodies per the binding's dataType, and trigger metadata as the host's EventHubTriggerBindingStrategy
// shapes it and the worker decodes it (issue 24, functions-and-bicep.md §1.3):
// - sequence numbers as protobuf Longs ({low, high, unsigned}), in SequenceNumberArray and in each
//   event's system properties;
// - EnqueuedTimeUtc without an offset, x-opt-enqueued-time with "+00:00", both as Json.NET writes
//   .NET dates (trailing fractional zeros dropped);
// - Offset a number, OffsetString / OffsetStringArray beside it (on a geo-replicated namespace the
//   numeric offsets are -1 and only the strings say where the event is);
// - PartitionKeyArray without its null and empty entries; TriggerPartitionContext beside PartitionContext;
// - no retry context on a first attempt.
import { createHash } from 'node:crypto';

import { envelopeBodyBytes, type TelemetryEnvelope } from './envelope';
import type { RegisteredBinding, RpcInvocationRequest } from './rpcTypes';

export interface EventHubPartitionInfo {
  fullyQualifiedNamespace: string;
  eventHubName: string;
  consumerGroup: string;
  partitionId: string;
}

/** An envelope after it was "enqueued" on a partition. */
export interface EnqueuedEvent {
  envelope: TelemetryEnvelope;
  sequenceNumber: number;
  offset: number;
}

/** A 64-bit integer as the worker's protobuf decoding hands it over (a Long, plain after camel-casing). */
export interface HostLong {
  low: number;
  high: number;
  unsigned: boolean;
}

export function hostLong(value: number): HostLong {
  return { low: value | 0, high: Math.floor(value / 2 ** 32) | 0, unsigned: false };
}

/** Device → partition the way Event Hubs spreads a partition key: stable hash modulo partitions. */
export function partitionFor(envelope: TelemetryEnvelope, partitionCount: number): string {
  if (envelope.partition !== undefined) return envelope.partition;
  const digest = createHash('sha256').update(envelope.deviceId).digest();
  return String(digest.readUInt32BE(0) % partitionCount);
}

/** Json.NET's date format: seconds, then up to 7 fractional digits without trailing zeros. */
const jsonNetSeconds = (iso: string): string => new Date(iso).toISOString().replace(/\.?0*Z$/, '');

/** .NET DateTime with Kind Unspecified, as Json.NET writes it: no offset, no "Z". */
const hostDateTime = (iso: string): string => jsonNetSeconds(iso);

/** .NET DateTimeOffset (x-opt-enqueued-time) as Json.NET writes it: "+00:00", not "Z". */
const hostDateTimeOffset = (iso: string): string => `${jsonNetSeconds(iso)}+00:00`;

/** A custom producer's partition key (IoT Hub sets none): x-opt-partition-key in the envelope's system properties. */
const partitionKeyOf = (envelope: TelemetryEnvelope): string | undefined => envelope.systemProperties?.['x-opt-partition-key'] || undefined;

function systemProperties(event: EnqueuedEvent): Record<string, unknown> {
  const { envelope, sequenceNumber, offset } = event;
  return {
    'iothub-connection-device-id': envelope.deviceId,
    ...(envelope.moduleId ? { 'iothub-connection-module-id': envelope.moduleId } : {}),
    'iothub-connection-auth-method': '{"scope":"device","type":"sas","issuer":"iothub","acceptingIpFilterRule":null}',
    'iothub-connection-auth-generation-id': '638000000000000000',
    'iothub-enqueuedtime': envelope.enqueuedTime,
    'iothub-message-source': 'Telemetry',
    ...(envelope.messageId ? { 'message-id': envelope.messageId } : {}),
    ...envelope.systemProperties,
    'x-opt-sequence-number': hostLong(sequenceNumber),
    'x-opt-offset': offset,
    'x-opt-enqueued-time': hostDateTimeOffset(envelope.enqueuedTime),
    SequenceNumber: hostLong(sequenceNumber),
    Offset: offset,
    OffsetString: String(offset),
    PartitionKey: partitionKeyOf(envelope) ?? null,
    EnqueuedTimeUtc: hostDateTime(envelope.enqueuedTime),
  };
}

/**
 * One invocation request for a batch on one partition. Without a dataType the host JSON-parses every
 * body and fails the whole batch on the first non-JSON one — reproduced here, because that is the
 * failure mode our binding's dataType exists to avoid.
 */
export function eventHubTriggerRequest(
  triggerName: string,
  binding: RegisteredBinding,
  partition: EventHubPartitionInfo,
  events: EnqueuedEvent[],
  retryCount = 0,
  maxRetryCount = 0,
): RpcInvocationRequest {
  const bodies = events.map((e) => envelopeBodyBytes(e.envelope));
  let data: RpcInvocationRequest['inputData'][number]['data'];
  if (binding.dataType === 'binary') {
    data = { collectionBytes: { bytes: bodies.map((b) => new Uint8Array(b)) } };
  } else if (binding.dataType === 'string') {
    data = { collectionString: { string: bodies.map((b) => b.toString('utf8')) } };
  } else {
    const parsed = bodies.map((b, i) => {
      try {
        return JSON.parse(b.toString('utf8')) as unknown;
      } catch (error) {
        throw new Error(
          `Binding parameters to complex objects uses Json.NET serialization: event ${i} of partition ${partition.partitionId} is not JSON (${(error as Error).message}). Set dataType on the trigger.`,
        );
      }
    });
    data = { json: JSON.stringify(parsed) };
  }
  const partitionContext = JSON.stringify({
    FullyQualifiedNamespace: partition.fullyQualifiedNamespace,
    EventHubName: partition.eventHubName,
    ConsumerGroup: partition.consumerGroup,
    PartitionId: partition.partitionId,
    IsCheckpointingAfterInvocation: true,
  });
  return {
    inputData: [{ name: triggerName, data }],
    triggerMetadata: {
      PartitionContext: { json: partitionContext },
      TriggerPartitionContext: { json: partitionContext },
      EnqueuedTimeUtcArray: { json: JSON.stringify(events.map((e) => hostDateTime(e.envelope.enqueuedTime))) },
      SequenceNumberArray: { collectionSint64: { sint64: events.map((e) => hostLong(e.sequenceNumber)) } },
      // string[] on the wire; the library JSON-parses each entry, so numeric offsets arrive as numbers.
      OffsetArray: { collectionString: { string: events.map((e) => String(e.offset)) } },
      OffsetStringArray: { collectionString: { string: events.map((e) => String(e.offset)) } },
      // The host drops null and empty entries (the worker does not declare
      // IncludeEmptyEntriesInMessagePayload): a batch with one keyed event gets a one-entry array.
      PartitionKeyArray: { collectionString: { string: events.flatMap((e) => partitionKeyOf(e.envelope) ?? []) } },
      PropertiesArray: { json: JSON.stringify(events.map((e) => e.envelope.properties ?? {})) },
      SystemPropertiesArray: { json: JSON.stringify(events.map(systemProperties)) },
    },
    // The host sends a retry context only with a retry.
    ...(retryCount > 0 && { retryContext: { retryCount, maxRetryCount } }),
  };
}
