// Splits what an Event Hub trigger with cardinality 'many' receives (the messages array and the batch's
// triggerMetadata arrays) into one RawEvent per event. Pure, so the function adapter stays thin.

import type { RawEvent } from '../message';

export function splitTriggerBatch(messages: unknown, triggerMetadata: Record<string, unknown> | undefined): RawEvent[] {
  const bodies = Array.isArray(messages) ? messages : [messages];
  const meta = triggerMetadata ?? {};
  // A column is read by position only when it has one entry per event: the host drops null and
  // empty entries from PartitionKeyArray (the worker does not declare IncludeEmptyEntriesInMessagePayload),
  // so a shorter array would give one event another's value. Each event's own system properties
  // carry the same values (decodeEvent reads them first).
  const column = (name: string): unknown[] | undefined => {
    const value = meta[name];
    return Array.isArray(value) && value.length === bodies.length ? value : undefined;
  };
  const properties = column('propertiesArray');
  const system = column('systemPropertiesArray');
  const enqueued = column('enqueuedTimeUtcArray');
  const sequence = column('sequenceNumberArray');
  const offsets = column('offsetArray');
  // The string form is the one that always says where the event is (-1 in offsetArray on geo-replicated namespaces).
  const offsetStrings = column('offsetStringArray');
  const keys = column('partitionKeyArray');
  return bodies.map((body, index) => ({
    body,
    index,
    properties: properties?.[index],
    systemProperties: system?.[index],
    enqueuedTimeUtc: enqueued?.[index],
    sequenceNumber: sequence?.[index],
    offset: offsetStrings?.[index] ?? offsets?.[index],
    partitionKey: keys?.[index],
  }));
}
