// POST /query → the query engine (./query), over live views of the stores.
import { errors } from '../errors';
import { header } from '../http/context';
import { json } from '../http/respond';
import type { RouteDefinition } from '../http/router';
import { isJsonObject } from '../metadata';
import { executeQuery, type QuerySource } from '../query';
import type { EmulatorServices } from '../services';

export function querySource(services: EmulatorServices, isOfModel: QuerySource['isOfModel']): QuerySource {
  return {
    twins: () => services.twins.values(),
    twin: (id) => services.twins.get(id),
    outgoing: (twinId) => services.relationships.listOutgoing(twinId),
    incoming: (twinId) => services.relationships.listIncoming(twinId),
    relationships: () => services.relationships.values(),
    isOfModel,
  };
}

/** `source` may be a factory: one source per query page (the query-lag view, ../query/laggedSource). */
export function queryRoutes(source: QuerySource | (() => QuerySource)): RouteDefinition[] {
  return [
    {
      method: 'POST',
      pattern: '/query',
      op: 'query',
      twinIds: () => [],
      handler: (ctx) => {
        const body = ctx.body;
        if (!isJsonObject(body))
          throw errors.invalidArgument('The query body must be a JSON object: {"query": "SELECT * FROM DIGITALTWINS"}.');
        const text = typeof body['query'] === 'string' ? body['query'] : '';
        const token =
          typeof body['continuationToken'] === 'string' && body['continuationToken'] !== '' ? body['continuationToken'] : undefined;
        if (text === '' && token === undefined)
          throw errors.sqlQueryError('SQL Parser Error, Line=1, Position=0, Message=the query is empty');
        const max = Number(header(ctx, 'max-items-per-page'));
        const page = executeQuery(text, typeof source === 'function' ? source() : source, {
          ...(Number.isInteger(max) && max > 0 ? { maxItemsPerPage: max } : {}),
          ...(token !== undefined ? { continuationToken: token } : {}),
        });
        return json(200, { value: page.value, continuationToken: page.continuationToken }, { 'query-charge': page.queryCharge.toFixed(2) });
      },
    },
  ];
}
