// Splits what an Event Hub trigger with cardinality 'many' receives (the messages array and the batch's
// triggerMetadata arrays) into one RawEvent per event. Pure, so the function adapter stays thin.

import type { RawEvent } from '../message';

export function splitTriggerBatch(messages: unknown, triggerMetadata: Record<string, unknown> | undefined): RawEvent[] {
  const bodies = Array.isArray(messages) ? messages : [messages];
  const meta = triggerMetadata ?? {};
  const column = (name: string): unknown[] | undefined => {
    const value = meta[name];
    return Array.isArray(value) ? value : undefined;
  };
  const properties = column('propertiesArray');
  const system = column('systemPropertiesArray');
  const enqueued = column('enqueuedTimeUtcArray');
  const sequence = column('sequenceNumberArray');
  const offsets = column('offsetArray');
  const keys = column('partitionKeyArray');
  return bodies.map((body, index) => ({
    body,
    index,
    properties: properties?.[index],
    systemProperties: system?.[index],
    enqueuedTimeUtc: enqueued?.[index],
    sequenceNumber: sequence?.[index],
    offset: offsets?.[index],
    partitionKey: keys?.[index],
  }));
}
