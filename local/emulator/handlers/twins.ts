// GET/PUT/PATCH/DELETE /digitaltwins/{id}.
import { adtNow } from '../clock';
import { checkIfMatch, checkIfNoneMatch, validateIfMatch } from '../conditions';
import { errors } from '../errors';
import { newEtag } from '../etag';
import { empty, json } from '../http/respond';
import type { RouteDefinition } from '../http/router';
import { buildTwinFromRequest, isJsonObject } from '../metadata';
import { parsePatchDocument } from '../patch/parseDocument';
import { checkDocumentSize } from '../payloadLimits';
import type { EmulatorServices } from '../services';
import type { TwinDoc } from '../types';
import { checkModelUsable, ifMatch, ifNoneMatch, param, requireObjectBody, requireTwin, validateTwinOrThrow } from './common';
import { commitTwinCreate, patchTwin, trace } from './twinWrites';

const PATH = '/digitaltwins/:id';

/** Builds, validates and stores a twin from a PUT body or an import line. Returns the stored twin. */
export function upsertTwin(
  services: EmulatorServices,
  id: string,
  body: Record<string, unknown>,
  ctx?: Parameters<typeof commitTwinCreate>[1],
): TwinDoc {
  const previous = services.twins.get(id);
  const meta = body['$metadata'];
  const model = isJsonObject(meta) ? meta['$model'] : undefined;
  if (typeof model !== 'string' || model === '') {
    throw errors.validationFailed([
      'The twin must name its model in $metadata.$model, e.g. {"$metadata": {"$model": "dtmi:example:Room;1"}}.',
    ]);
  }
  checkModelUsable(services, model, true);
  if (!previous && services.twins.size >= services.store.maxTwins) {
    throw errors.invalidArgument(
      `The instance already holds the maximum of ${services.store.maxTwins} twins (TwinLimitReached). Delete twins or raise the emulator limit.`,
    );
  }
  const twin = buildTwinFromRequest(id, body, adtNow(), newEtag());
  validateTwinOrThrow(services, twin);
  checkDocumentSize(twin, services.payload, 'twin');
  commitTwinCreate(services, ctx, twin, previous);
  return twin;
}

export function twinRoutes(services: EmulatorServices): RouteDefinition[] {
  return [
    {
      method: 'GET',
      pattern: PATH,
      op: 'twin.read',
      handler: (ctx) => {
        const twin = requireTwin(services, param(ctx, 'id'));
        return json(200, twin, { ETag: twin.$etag });
      },
    },
    {
      method: 'PUT',
      pattern: PATH,
      op: (ctx) => (services.twins.has(ctx.params['id'] ?? '') ? 'twin.replace' : 'twin.create'),
      handler: (ctx) => {
        const id = param(ctx, 'id');
        checkIfNoneMatch(ifNoneMatch(ctx), services.twins.has(id), () => errors.twinExists(id));
        const twin = upsertTwin(services, id, requireObjectBody(ctx, 'twin'), ctx);
        return json(200, twin, { ETag: twin.$etag });
      },
    },
    {
      method: 'PATCH',
      pattern: PATH,
      op: 'twin.patch',
      handler: (ctx) => {
        const id = param(ctx, 'id');
        validateIfMatch(ifMatch(ctx));
        const current = requireTwin(services, id);
        checkIfMatch(ifMatch(ctx), current.$etag);
        const patched = patchTwin(services, ctx, current, parsePatchDocument(ctx.body));
        return empty(204, { ETag: patched.$etag });
      },
    },
    {
      method: 'DELETE',
      pattern: PATH,
      op: 'twin.delete',
      handler: (ctx) => {
        const id = param(ctx, 'id');
        validateIfMatch(ifMatch(ctx));
        const twin = requireTwin(services, id);
        checkIfMatch(ifMatch(ctx), twin.$etag);
        if (services.relationships.countFor(id) > 0) throw errors.relationshipsNotDeleted(id);
        services.twins.delete(id);
        services.telemetry.forgetTwin(id);
        services.counters.twinWrite(id, 'delete');
        services.notify({ type: 'Microsoft.DigitalTwins.Twin.Delete', subject: id, data: twin, ...trace(ctx) });
        services.changed();
        return empty(204);
      },
    },
  ];
}
