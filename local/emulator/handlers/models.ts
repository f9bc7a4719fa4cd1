// /models endpoints, delegated to the model registry (./models). Only the wire details live here.
import { errors } from '../errors';
import { pageOf } from '../http/paging';
import { empty, json } from '../http/respond';
import type { RouteDefinition } from '../http/router';
import { isJsonObject } from '../metadata';
import type { ModelRegistry } from '../models/modelRegistry';
import { param } from './common';

const MODEL_PAGE_SIZE = 100;
const none = (): string[] => [];

/** SDK 1.1.0 sends one comma-separated parameter; the swagger says repeated. Accept both. */
function dependenciesFor(query: URLSearchParams): string[] | undefined {
  const values = query
    .getAll('dependenciesFor')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return values.length > 0 ? [...new Set(values)] : undefined;
}

const includeDefinition = (query: URLSearchParams): boolean => query.get('includeModelDefinition')?.toLowerCase() === 'true';

function checkDecommissionPatch(body: unknown): void {
  const ok =
    Array.isArray(body) &&
    body.length === 1 &&
    isJsonObject(body[0]) &&
    body[0]['op'] === 'replace' &&
    body[0]['path'] === '/decommissioned' &&
    body[0]['value'] === true;
  if (!ok) {
    throw errors.patchInvalid('Models only support [{"op": "replace", "path": "/decommissioned", "value": true}].');
  }
}

export function modelRoutes(registry: ModelRegistry, changed: () => void): RouteDefinition[] {
  return [
    {
      method: 'GET',
      pattern: '/models',
      op: 'model.read',
      twinIds: none,
      handler: (ctx) => {
        const deps = dependenciesFor(ctx.query);
        const models = registry.list({ ...(deps ? { dependenciesFor: deps } : {}), includeModelDefinition: includeDefinition(ctx.query) });
        const extra: Record<string, string> = {};
        if (deps) extra['dependenciesFor'] = deps.join(',');
        if (ctx.query.has('includeModelDefinition')) extra['includeModelDefinition'] = String(includeDefinition(ctx.query));
        return json(200, pageOf(models, ctx, MODEL_PAGE_SIZE, extra));
      },
    },
    {
      method: 'GET',
      pattern: '/models/:id',
      op: 'model.read',
      twinIds: none,
      handler: (ctx) => json(200, registry.get(param(ctx, 'id'), includeDefinition(ctx.query))),
    },
    {
      method: 'POST',
      pattern: '/models',
      op: 'model.write',
      twinIds: none,
      payload: 'models',
      handler: async (ctx) => {
        const added = await registry.add(ctx.body);
        changed();
        return json(201, added);
      },
    },
    {
      method: 'PATCH',
      pattern: '/models/:id',
      op: 'model.write',
      twinIds: none,
      handler: (ctx) => {
        checkDecommissionPatch(ctx.body);
        registry.decommission(param(ctx, 'id'));
        return empty(204);
      },
    },
    {
      method: 'DELETE',
      pattern: '/models/:id',
      op: 'model.write',
      twinIds: none,
      handler: (ctx) => {
        registry.delete(param(ctx, 'id'));
        return empty(204);
      },
    },
  ];
}
