// Event routes + endpoints + delivery: what ADT does after a twin, relationship or telemetry change.
import type { Notification } from '../types';
import { EndpointQueue } from './delivery/endpointQueue';
import { type DeadLetter, defaultDeliveryPolicy, type DeliveryPolicy, type EndpointStats } from './delivery/policy';
import { egressDeliver } from './egressSink';
import { type EndpointConfig, type NotificationHandler, subscriberDeliver, webhookDeliver } from './endpoints';
import { type EventRouteDoc, RouteTable } from './routeTable';
import { type EmitInput, NotificationStamper } from './stamp';

export interface EventRouterOptions {
  /** Instance host, used as CloudEvents `source` (e.g. `127.0.0.1:4443`). */
  host: string;
  endpoints?: EndpointConfig[];
  /** Default retry policy for every endpoint. */
  delivery?: Partial<DeliveryPolicy>;
  /** ADT allows 6 routes per instance (adjustable). */
  maxRoutes?: number;
}

export interface EventRouterState {
  routes: EventRouteDoc[];
  /** Last sequence number per source, so numbering continues after a restore. */
  sequences: Record<string, number>;
}

export interface EventRouterStats {
  emitted: number;
  endpoints: Record<string, EndpointStats>;
}

interface Endpoint {
  config: EndpointConfig;
  queue: EndpointQueue;
  /** Only for subscriber endpoints. */
  handlers?: Set<NotificationHandler>;
}

export class EventRouter {
  private readonly endpoints = new Map<string, Endpoint>();
  /** Notifications written by each egress endpoint (Event Hubs / Service Bus sinks). */
  readonly egressWritten: Record<string, number> = {};
  private readonly routes: RouteTable;
  private readonly stamper: NotificationStamper;
  private readonly policy: DeliveryPolicy;
  private readonly taps = new Set<(notification: Notification) => void>();
  private readonly dead: DeadLetter[] = [];
  private idleWaiters: Array<() => void> = [];
  private emitted = 0;
  private closed = false;

  constructor(options: EventRouterOptions) {
    this.stamper = new NotificationStamper(options.host);
    this.policy = { ...defaultDeliveryPolicy, ...options.delivery };
    this.routes = new RouteTable(options.maxRoutes ?? 6, (name) => this.endpoints.has(name));
    for (const config of options.endpoints ?? []) this.addEndpoint(config);
  }

  // ---- routes (data plane: /eventroutes) ----

  upsertRoute(id: string, body: unknown): EventRouteDoc {
    return this.routes.upsert(id, body);
  }

  getRoute(id: string): EventRouteDoc {
    return this.routes.get(id);
  }

  listRoutes(): EventRouteDoc[] {
    return this.routes.list();
  }

  deleteRoute(id: string): void {
    this.routes.delete(id);
  }

  export(): EventRouterState {
    return { routes: this.routes.list(), sequences: this.stamper.exportSequences() };
  }

  import(state: EventRouterState): void {
    this.routes.clear();
    for (const route of state.routes) this.routes.restore(route);
    this.stamper.importSequences(state.sequences);
  }

  /** Removes every route and forgets dead letters; endpoints and subscribers stay. */
  clear(): void {
    this.routes.clear();
    this.dead.length = 0;
  }

  // ---- endpoints (control plane in ADT; configured at start or by tests) ----

  addEndpoint(config: EndpointConfig): void {
    if (this.endpoints.has(config.name)) {
      throw new Error(`Endpoint '${config.name}' already exists. Remove it first with removeEndpoint('${config.name}') to reconfigure it.`);
    }
    const handlers = config.kind === 'subscriber' ? new Set<NotificationHandler>() : undefined;
    const deliver =
      config.kind === 'webhook'
        ? webhookDeliver(config)
        : config.kind === 'subscriber'
          ? subscriberDeliver(config, handlers ?? new Set())
          : egressDeliver(config, () => (this.egressWritten[config.name] = (this.egressWritten[config.name] ?? 0) + 1));
    const queue = new EndpointQueue({
      name: config.name,
      deliver,
      policy: { ...this.policy, ...config.delivery },
      concurrency: Math.max(1, config.concurrency ?? 1),
      onDeadLetter: (deadLetter) => this.dead.push(deadLetter),
      onSettled: () => this.checkIdle(),
    });
    this.endpoints.set(config.name, { config, queue, ...(handlers ? { handlers } : {}) });
  }

  /** Pending events of the endpoint are dropped; routes naming it stay and route nothing until it is re-added. */
  async removeEndpoint(name: string): Promise<void> {
    const endpoint = this.endpoints.get(name);
    if (!endpoint) return;
    this.endpoints.delete(name);
    await endpoint.queue.close();
    this.checkIdle();
  }

  /** Registers an in-process handler (creating a CloudEvents subscriber endpoint if needed); returns unsubscribe. */
  subscribe(endpointName: string, handler: NotificationHandler): () => void {
    if (!this.endpoints.has(endpointName)) this.addEndpoint({ name: endpointName, kind: 'subscriber' });
    const handlers = this.endpoints.get(endpointName)?.handlers;
    if (!handlers) throw new Error(`Endpoint '${endpointName}' is a webhook endpoint; subscribe() needs a subscriber endpoint name.`);
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
    };
  }

  /** Sees every notification as emitted, before routing (tests, the runner's trace). */
  tap(handler: (notification: Notification) => void): () => void {
    this.taps.add(handler);
    return () => {
      this.taps.delete(handler);
    };
  }

  // ---- emitting and delivery ----

  /** Synchronous and cheap: stamps, filters and enqueues; delivery runs later. */
  emit(input: EmitInput): Notification {
    const notification = this.stamper.stamp(input);
    this.emitted++;
    for (const tap of this.taps) {
      try {
        tap(notification);
      } catch (error) {
        // A faulty tap must not fail the twin write that caused the event.
        console.error(`EventRouter tap threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (this.closed) return notification;
    for (const route of this.routes.compiled()) {
      const endpoint = this.endpoints.get(route.doc.endpointName);
      if (!endpoint || !route.matches(notification)) continue;
      if (endpoint.handlers && endpoint.handlers.size === 0) endpoint.queue.recordDropped();
      else endpoint.queue.enqueue(notification);
    }
    return notification;
  }

  /** Resolves once every endpoint queue is empty and nothing is in flight. */
  idle(): Promise<void> {
    if (!this.busy()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  deadLetters(): DeadLetter[] {
    return [...this.dead];
  }

  stats(): EventRouterStats {
    const endpoints: Record<string, EndpointStats> = {};
    for (const [name, endpoint] of this.endpoints) endpoints[name] = endpoint.queue.stats();
    return { emitted: this.emitted, endpoints };
  }

  /** Stops delivery: waiting events are dropped, retries and in-flight requests cancelled. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.endpoints.values()].map((endpoint) => endpoint.queue.close()));
    this.checkIdle();
  }

  private busy(): boolean {
    for (const endpoint of this.endpoints.values()) if (endpoint.queue.busy) return true;
    return false;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.busy()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
