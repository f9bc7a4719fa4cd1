// The instance's event routes: validation on upsert (ADT's error codes), a compiled filter per route.
import { errors } from '../errors';
import { compileFilter, FilterSyntaxError, type NotificationPredicate } from './filter';
import { routeErrors } from './routeErrors';

/** An event route exactly as GET /eventroutes/{id} returns it. */
export interface EventRouteDoc {
  id: string;
  endpointName: string;
  filter: string;
}

interface CompiledRoute {
  doc: EventRouteDoc;
  matches: NotificationPredicate;
}

// ADT's exact id rule is not documented; this mirrors the ARM naming style of its endpoints.
const routeIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class RouteTable {
  private readonly routes = new Map<string, CompiledRoute>();

  constructor(
    private readonly maxRoutes: number,
    private readonly endpointExists: (name: string) => boolean,
  ) {}

  upsert(id: string, body: unknown): EventRouteDoc {
    if (!routeIdPattern.test(id)) throw routeErrors.idInvalid(id);
    const { endpointName, filter } = readBody(body);
    if (!this.endpointExists(endpointName)) throw errors.routeEndpointInvalid();
    if (!this.routes.has(id) && this.routes.size >= this.maxRoutes) throw routeErrors.limitExceeded(this.maxRoutes);
    this.set({ id, endpointName, filter });
    return { id, endpointName, filter };
  }

  get(id: string): EventRouteDoc {
    const route = this.routes.get(id);
    if (!route) throw errors.routeNotFound();
    return { ...route.doc };
  }

  list(): EventRouteDoc[] {
    return [...this.routes.values()].map((route) => ({ ...route.doc }));
  }

  delete(id: string): void {
    if (!this.routes.delete(id)) throw errors.routeNotFound();
  }

  clear(): void {
    this.routes.clear();
  }

  /** Routes whose filter accepts the notification, in creation order. */
  compiled(): Iterable<CompiledRoute> {
    return this.routes.values();
  }

  /** Restores persisted routes without the endpoint check: endpoints are configured after the restore. */
  restore(doc: EventRouteDoc): void {
    this.set(doc);
  }

  private set(doc: EventRouteDoc): void {
    this.routes.set(doc.id, { doc: { ...doc }, matches: compile(doc.filter) });
  }
}

function compile(filter: string): NotificationPredicate {
  try {
    return compileFilter(filter);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw errors.routeFilterInvalid(error.message);
    throw error;
  }
}

function readBody(body: unknown): Omit<EventRouteDoc, 'id'> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw routeErrors.bodyInvalid('it must be a JSON object');
  const { endpointName, filter } = body as Record<string, unknown>;
  if (typeof endpointName !== 'string' || endpointName === '')
    throw routeErrors.bodyInvalid('endpointName is required and must be a string');
  if (typeof filter !== 'string') throw routeErrors.bodyInvalid('filter is required and must be a string');
  return { endpointName, filter };
}
