// GET/PATCH /digitaltwins/{id}/components/{component}: paths in the patch are relative to the component.
import { checkIfMatch, validateIfMatch } from '../conditions';
import { errors } from '../errors';
import { empty, json } from '../http/respond';
import type { RouteDefinition } from '../http/router';
import { isComponentValue } from '../metadata';
import { parsePatchDocument } from '../patch/parseDocument';
import type { EmulatorServices } from '../services';
import { ifMatch, param, requireTwin } from './common';
import { patchTwin } from './twinWrites';

const PATH = '/digitaltwins/:id/components/:component';
const escapeToken = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

export function componentRoutes(services: EmulatorServices): RouteDefinition[] {
  return [
    {
      method: 'GET',
      pattern: PATH,
      op: 'twin.read',
      handler: (ctx) => {
        const id = param(ctx, 'id');
        const component = param(ctx, 'component');
        const twin = requireTwin(services, id);
        const value = twin[component];
        if (!isComponentValue(value)) throw errors.componentNotFound(id, component);
        return json(200, value, { ETag: twin.$etag });
      },
    },
    {
      method: 'PATCH',
      pattern: PATH,
      op: 'twin.patch',
      handler: (ctx) => {
        const id = param(ctx, 'id');
        const component = param(ctx, 'component');
        validateIfMatch(ifMatch(ctx));
        const current = requireTwin(services, id);
        checkIfMatch(ifMatch(ctx), current.$etag);
        const ops = parsePatchDocument(ctx.body);
        const prefix = `/${escapeToken(component)}`;
        // The service resolves component paths against the twin; a missing component cannot be resolved.
        if (!isComponentValue(current[component])) throw errors.patchUnresolvablePath(`${prefix}${ops[0]?.path ?? ''}`);
        const absolute = ops.map((op) => ({ ...op, path: `${prefix}${op.path}` }));
        const patched = patchTwin(services, ctx, current, absolute);
        return empty(204, { ETag: patched.$etag });
      },
    },
  ];
}
