// The two wire shapes an Event Grid endpoint delivers ADT notifications in (adt-data-plane.md §9).
import type { Notification } from '../types';

export type EndpointSchema = 'EventGrid' | 'CloudEvents';

/** CloudEvents 1.0 structured mode, plus our `sequencenumber` extension attribute. */
export interface CloudEventNotification {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  subject?: string;
  time?: string;
  datacontenttype: string;
  dataschema?: string;
  traceparent: string;
  sequencenumber: number;
  data: unknown;
}

/**
 * EventGridEvent schema. ADT wraps the payload once more: the CloudEvents extension attributes
 * (`traceparent`, `dataschema`, `contenttype`) sit next to `data.data`. The emulator puts its
 * `sequencenumber` there as well, so `event.data.sequencenumber` orders events in both schemas' spirit.
 */
export interface EventGridNotification {
  id: string;
  subject: string;
  data: {
    data: unknown;
    contenttype: string;
    traceparent: string;
    dataschema?: string;
    sequencenumber: number;
  };
  eventType: string;
  eventTime: string;
  dataVersion: '1.0';
  metadataVersion: '1';
  topic: string;
}

/** Stand-in ARM id for an endpoint's Event Grid topic when the configuration gives none. */
export function defaultTopic(endpointName: string): string {
  return `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/adt-emulator/providers/Microsoft.EventGrid/topics/${endpointName}`;
}

export function toCloudEvent(n: Notification): CloudEventNotification {
  return {
    specversion: '1.0',
    id: n.id,
    type: n.type,
    source: n.source,
    ...(n.subject !== undefined ? { subject: n.subject } : {}),
    ...(n.time !== undefined ? { time: n.time } : {}),
    datacontenttype: n.datacontenttype,
    ...(n.dataschema !== undefined ? { dataschema: n.dataschema } : {}),
    traceparent: n.traceparent,
    sequencenumber: n.sequencenumber,
    data: n.data,
  };
}

// ADT's own telemetry sample in EventGrid form carries this placeholder when the event has no time.
const noEventTime = '0001-01-01T00:00:00Z';

export function toEventGridEvent(n: Notification, topic: string): EventGridNotification {
  return {
    id: n.id,
    subject: n.subject ?? '',
    data: {
      data: n.data,
      contenttype: n.datacontenttype,
      traceparent: n.traceparent,
      ...(n.dataschema !== undefined ? { dataschema: n.dataschema } : {}),
      sequencenumber: n.sequencenumber,
    },
    eventType: n.type,
    eventTime: n.time ?? noEventTime,
    dataVersion: '1.0',
    metadataVersion: '1',
    topic,
  };
}
