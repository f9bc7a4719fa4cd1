export type { DeadLetter, DeliveryPolicy, EndpointStats } from './delivery/policy';
export { type AmqpEgressMessage, type EgressEndpointConfig, type EgressKind, toAmqpMessage } from './egressSink';
export type {
  EgressEndpoint,
  EndpointConfig,
  NotificationHandler,
  SubscriberEndpointConfig,
  SubscriberEvent,
  WebhookEndpointConfig,
} from './endpoints';
export { EventRouter, type EventRouterOptions, type EventRouterState, type EventRouterStats } from './eventRouter';
export { compileFilter, FilterSyntaxError } from './filter';
export type { EventRouteDoc } from './routeTable';
export {
  type CloudEventNotification,
  defaultTopic,
  type EndpointSchema,
  type EventGridNotification,
  toCloudEvent,
  toEventGridEvent,
} from './schemas';
export type { EmitInput } from './stamp';
export { adtTimestamp, newTraceparent } from './stamp';
