export { EventRouter, type EventRouterOptions, type EventRouterState, type EventRouterStats } from './eventRouter';
export type { EndpointConfig, WebhookEndpointConfig, SubscriberEndpointConfig, NotificationHandler, SubscriberEvent } from './endpoints';
export type { DeadLetter, DeliveryPolicy, EndpointStats } from './delivery/policy';
export type { EventRouteDoc } from './routeTable';
export type { EmitInput } from './stamp';
export { adtTimestamp, newTraceparent } from './stamp';
export { toCloudEvent, toEventGridEvent, defaultTopic, type CloudEventNotification, type EventGridNotification, type EndpointSchema } from './schemas';
export { compileFilter, FilterSyntaxError } from './filter';
