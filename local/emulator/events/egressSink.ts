// Egress endpoints (Event Hubs, Service Bus) written to a local ndjson file. ADT sends to both in
// the CloudEvents AMQP binding: every attribute is an application property `cloudEvents:<name>`,
// the AMQP body is the bare `data` (adt-data-plane.md §9). One line per delivered notification:
//   {"endpoint","kind","properties":{"contentType"},"applicationProperties":{"cloudEvents:…"},"body"}
// so `jq`, a test or a downstream stand-in reads exactly what a consumer of the hub or queue gets.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import type { Notification } from '../types';
import type { DeliverFn } from './delivery/endpointQueue';

export type EgressKind = 'eventHub' | 'serviceBus';

export interface EgressEndpointConfig {
  name: string;
  kind: EgressKind;
  /** The ndjson file the endpoint appends to (its folder is created). */
  file: string;
  concurrency?: number;
}

/** One message as an Event Hubs or Service Bus consumer receives it. */
export interface AmqpEgressMessage {
  endpoint: string;
  kind: EgressKind;
  properties: { contentType: string };
  applicationProperties: Record<string, string>;
  body: unknown;
}

export function toAmqpMessage(notification: Notification, endpoint: string, kind: EgressKind): AmqpEgressMessage {
  const attributes: Record<string, string | undefined> = {
    id: notification.id,
    source: notification.source,
    specversion: notification.specversion,
    type: notification.type,
    time: notification.time,
    subject: notification.subject,
    traceparent: notification.traceparent,
    dataschema: notification.dataschema,
  };
  const applicationProperties: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) applicationProperties[`cloudEvents:${name}`] = value;
  return { endpoint, kind, properties: { contentType: notification.datacontenttype }, applicationProperties, body: notification.data };
}

/** Appends synchronously: with the queue's default concurrency of 1 the file keeps delivery order. */
export function egressDeliver(config: EgressEndpointConfig, onWritten: () => void): DeliverFn {
  mkdirSync(dirname(config.file), { recursive: true });
  return (notification) => {
    appendFileSync(config.file, `${JSON.stringify(toAmqpMessage(notification, config.name, config.kind))}\n`, 'utf8');
    onWritten();
    return Promise.resolve();
  };
}
