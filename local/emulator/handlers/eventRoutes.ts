// /eventroutes CRUD, delegated to the event router's route table (it validates endpoints and filters).
import type { EventRouter } from '../events';
import { pageOf } from '../http/paging';
import { empty, json } from '../http/respond';
import type { RouteDefinition } from '../http/router';
import { param } from './common';

const ROUTE_PAGE_SIZE = 100;

export function eventRouteRoutes(events: EventRouter): RouteDefinition[] {
  const none = (): string[] => [];
  return [
    {
      method: 'GET',
      pattern: '/eventroutes',
      op: 'route.read',
      twinIds: none,
      handler: (ctx) => json(200, pageOf(events.listRoutes(), ctx, ROUTE_PAGE_SIZE)),
    },
    {
      method: 'GET',
      pattern: '/eventroutes/:id',
      op: 'route.read',
      twinIds: none,
      handler: (ctx) => json(200, events.getRoute(param(ctx, 'id'))),
    },
    {
      method: 'PUT',
      pattern: '/eventroutes/:id',
      op: 'route.write',
      twinIds: none,
      handler: (ctx) => {
        events.upsertRoute(param(ctx, 'id'), ctx.body);
        return empty(204);
      },
    },
    {
      method: 'DELETE',
      pattern: '/eventroutes/:id',
      op: 'route.write',
      twinIds: none,
      handler: (ctx) => {
        events.deleteRoute(param(ctx, 'id'));
        return empty(204);
      },
    },
  ];
}
