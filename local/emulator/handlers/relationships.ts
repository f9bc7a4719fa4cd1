// Relationship endpoints: single relationship CRUD, outgoing list (relationshipName filter), incoming list.
import { checkIfMatch, checkIfNoneMatch, validateIfMatch } from '../conditions';
import { errors } from '../errors';
import type { RequestContext } from '../http/context';
import { pageOf } from '../http/paging';
import { empty, json } from '../http/respond';
import type { RouteDefinition } from '../http/router';
import { isJsonObject } from '../metadata';
import { parsePatchDocument } from '../patch/parseDocument';
import type { EmulatorServices } from '../services';
import { ifMatch, ifNoneMatch, param, requireObjectBody, requireRelationship, requireTwin } from './common';
import { deleteRelationship, patchRelationship, upsertRelationship } from './relationshipWrites';

const ONE = '/digitaltwins/:id/relationships/:relId';

/** Relationship writes count against the source and the target twin (ADT's per-twin rate limit). */
function involvedTwins(services: EmulatorServices) {
  return (ctx: RequestContext): string[] => {
    const id = ctx.params['id'] ?? '';
    const relId = ctx.params['relId'] ?? '';
    const target =
      isJsonObject(ctx.body) && typeof ctx.body['$targetId'] === 'string'
        ? ctx.body['$targetId']
        : services.relationships.get(id, relId)?.$targetId;
    return target === undefined ? [id] : [id, target];
  };
}

export function relationshipRoutes(services: EmulatorServices): RouteDefinition[] {
  return [
    {
      method: 'GET',
      pattern: ONE,
      op: 'relationship.read',
      handler: (ctx) => {
        const id = param(ctx, 'id');
        requireTwin(services, id);
        const rel = requireRelationship(services, id, param(ctx, 'relId'));
        return json(200, rel, { ETag: rel.$etag });
      },
    },
    {
      method: 'PUT',
      pattern: ONE,
      op: 'relationship.create',
      twinIds: involvedTwins(services),
      handler: (ctx) => {
        const id = param(ctx, 'id');
        const relId = param(ctx, 'relId');
        requireTwin(services, id);
        checkIfNoneMatch(ifNoneMatch(ctx), services.relationships.get(id, relId) !== undefined, () => errors.relationshipExists(relId));
        const rel = upsertRelationship(services, id, relId, requireObjectBody(ctx, 'relationship'), ctx);
        return json(200, rel, { ETag: rel.$etag });
      },
    },
    {
      method: 'PATCH',
      pattern: ONE,
      op: 'relationship.patch',
      twinIds: involvedTwins(services),
      handler: (ctx) => {
        const id = param(ctx, 'id');
        validateIfMatch(ifMatch(ctx));
        requireTwin(services, id);
        const current = requireRelationship(services, id, param(ctx, 'relId'));
        checkIfMatch(ifMatch(ctx), current.$etag);
        const patched = patchRelationship(services, ctx, current, parsePatchDocument(ctx.body));
        return empty(204, { ETag: patched.$etag });
      },
    },
    {
      method: 'DELETE',
      pattern: ONE,
      op: 'relationship.delete',
      twinIds: involvedTwins(services),
      handler: (ctx) => {
        const id = param(ctx, 'id');
        validateIfMatch(ifMatch(ctx));
        requireTwin(services, id);
        const rel = requireRelationship(services, id, param(ctx, 'relId'));
        checkIfMatch(ifMatch(ctx), rel.$etag);
        deleteRelationship(services, ctx, rel);
        return empty(204);
      },
    },
    {
      method: 'GET',
      pattern: '/digitaltwins/:id/relationships',
      op: 'relationship.read',
      handler: (ctx) => {
        const id = param(ctx, 'id');
        requireTwin(services, id);
        const name = ctx.query.get('relationshipName') ?? undefined;
        const items = services.relationships.listOutgoing(id, name);
        return json(200, pageOf(items, ctx, services.store.relationshipPageSize, name === undefined ? {} : { relationshipName: name }));
      },
    },
    {
      method: 'GET',
      pattern: '/digitaltwins/:id/incomingrelationships',
      op: 'relationship.read',
      handler: (ctx) => {
        const id = param(ctx, 'id');
        requireTwin(services, id);
        const items = services.relationships.listIncoming(id).map((rel) => ({
          $relationshipId: rel.$relationshipId,
          $sourceId: rel.$sourceId,
          $relationshipName: rel.$relationshipName,
          $relationshipLink: `/digitaltwins/${encodeURIComponent(rel.$sourceId)}/relationships/${encodeURIComponent(rel.$relationshipId)}`,
        }));
        return json(200, pageOf(items, ctx, services.store.relationshipPageSize));
      },
    },
  ];
}
