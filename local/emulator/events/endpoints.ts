// Endpoint configuration (a control-plane concept in ADT) and how each kind hands over one event.
import type { Notification } from '../types';
import type { DeliverFn, QueuedCopy } from './delivery/endpointQueue';
import type { DeliveryPolicy } from './delivery/policy';
import { postWebhook } from './delivery/webhook';
import type { EgressEndpointConfig } from './egressSink';
import {
  type CloudEventNotification,
  defaultTopic,
  type EndpointSchema,
  type EventGridNotification,
  toCloudEvent,
  toEventGridEvent,
} from './schemas';

interface EndpointCommon {
  name: string;
  /** ARM id put into EventGridEvent `topic`; defaults to a stand-in id ending in the endpoint name. */
  topic?: string;
  /** Overrides the router's retry policy for this endpoint. */
  delivery?: Partial<DeliveryPolicy>;
  /** Events in flight at once; 1 (the default) keeps strict FIFO order. */
  concurrency?: number;
}

export interface WebhookEndpointConfig extends EndpointCommon {
  kind: 'webhook';
  url: string;
  schema: EndpointSchema;
  /** Per-request timeout; a timeout counts as a failed attempt. Default 30 s. */
  timeoutMs?: number;
}

export interface SubscriberEndpointConfig extends EndpointCommon {
  kind: 'subscriber';
  /** Shape handed to handlers; default CloudEvents. */
  schema?: EndpointSchema;
}

/** Event Hubs / Service Bus endpoint written to a local ndjson sink (egressSink.ts). */
export type EgressEndpoint = EgressEndpointConfig & Pick<EndpointCommon, 'delivery'>;

export type EndpointConfig = WebhookEndpointConfig | SubscriberEndpointConfig | EgressEndpoint;

export type SubscriberEvent = CloudEventNotification | EventGridNotification;
/** In-process consumer; a throw (or rejection) is a failed attempt and is retried like a webhook 500. */
export type NotificationHandler = (event: SubscriberEvent, notification: Notification) => void | Promise<void>;

export function shapeFor(schema: EndpointSchema, notification: Notification, topic: string): SubscriberEvent {
  return schema === 'EventGrid' ? toEventGridEvent(notification, topic) : toCloudEvent(notification);
}

/** Event Grid webhook conventions: array body for EventGridEvent, structured mode for CloudEvents. */
export function webhookDeliver(config: WebhookEndpointConfig): DeliverFn {
  const topic = config.topic ?? defaultTopic(config.name);
  const timeoutMs = config.timeoutMs ?? 30_000;
  return (notification, attempt, signal) => {
    const common = {
      'aeg-event-type': 'Notification',
      'aeg-subscription-name': config.name.toUpperCase(),
      'aeg-delivery-count': String(attempt - 1),
    };
    if (config.schema === 'EventGrid') {
      return postWebhook({
        url: config.url,
        body: JSON.stringify([toEventGridEvent(notification, topic)]),
        headers: { ...common, 'content-type': 'application/json; charset=utf-8', 'aeg-data-version': '1.0', 'aeg-metadata-version': '1' },
        timeoutMs,
        signal,
      });
    }
    return postWebhook({
      url: config.url,
      body: JSON.stringify(toCloudEvent(notification)),
      headers: { ...common, 'content-type': 'application/cloudevents+json; charset=utf-8' },
      timeoutMs,
      signal,
    });
  };
}

/**
 * Calls every handler registered for a subscriber endpoint. On a retry only the handlers that have not
 * yet succeeded for this copy of the event run again, so one failing consumer does not make the others
 * see duplicates. The memory is per queued copy, not per notification: a second route to this endpoint
 * is a second delivery (as in ADT), even after the first copy finished.
 */
export function subscriberDeliver(config: SubscriberEndpointConfig, handlers: ReadonlySet<NotificationHandler>): DeliverFn {
  const topic = config.topic ?? defaultTopic(config.name);
  const schema = config.schema ?? 'CloudEvents';
  const done = new WeakMap<QueuedCopy, Set<NotificationHandler>>();
  return async (notification, _attempt, _signal, copy) => {
    const succeeded = done.get(copy) ?? new Set<NotificationHandler>();
    done.set(copy, succeeded);
    for (const handler of [...handlers]) {
      if (succeeded.has(handler)) continue;
      await handler(shapeFor(schema, notification, topic), notification);
      succeeded.add(handler);
    }
  };
}
