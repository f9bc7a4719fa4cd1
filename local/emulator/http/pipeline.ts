// One data-plane request, start to finish: auth → route → body → faults → limits → handler → reply.
// Counters see every matched request; the admin API is handled before this and skips all of it.
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Counters } from '../counters';
import { errors } from '../errors';
import type { FaultInjector } from '../faults';
import type { ServiceLimits } from '../limits';
import type { OperationKind } from '../types';
import type { RequestContext } from './context';
import { parseJsonBody, readRawBody } from './readBody';
import { errorReply, type Reply, toAdtError, writeReply } from './respond';
import type { Router } from './router';

export interface PipelineDeps {
  router: Router;
  counters: Counters;
  limits: ServiceLimits;
  faults: FaultInjector;
  baseUrl: () => string;
  host: () => string;
  /** Called after a successful write (persistence). */
  onWrite: (op: OperationKind) => void;
}

const READ_ONLY_OPS = new Set<OperationKind>([
  'twin.read',
  'relationship.read',
  'model.read',
  'query',
  'route.read',
  'telemetry',
  'job.read',
]);

export async function handleDataPlane(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  traceparent: string,
  deps: PipelineDeps,
): Promise<void> {
  const common = { traceresponse: traceparent, 'Strict-Transport-Security': 'max-age=2592000' };
  const method = req.method ?? 'GET';
  let op: OperationKind | undefined;
  let reply: Reply;
  try {
    const auth = req.headers.authorization;
    if (auth === undefined || !/^Bearer\s+\S+/i.test(auth)) throw errors.unauthorized();
    const match = deps.router.match(method, url.pathname);
    if (!match) throw errors.notFoundRoute(method, url.pathname);
    const payload = match.route.payload ?? 'request';
    const raw = await readRawBody(req, deps.limits.bodyCap(payload));
    const ctx: RequestContext = {
      method,
      rawPath: url.pathname,
      params: match.params,
      query: url.searchParams,
      headers: req.headers,
      body: undefined,
      baseUrl: deps.baseUrl(),
      host: deps.host(),
      traceparent,
    };
    op = typeof match.route.op === 'function' ? match.route.op(ctx) : match.route.op;
    deps.counters.request(op);
    // `:id` names a twin only on /digitaltwins routes (it is a model or route id elsewhere).
    const twinId = /^(twin|relationship|telemetry)/.test(op) ? match.params['id'] : undefined;
    const fault = await deps.faults.beforeRequest({ method, path: url.pathname, op, ...(twinId !== undefined ? { twinId } : {}) });
    if (fault === 'reset') {
      deps.counters.outcome(op, 0);
      req.socket.destroy();
      return;
    }
    deps.limits.checkPayload(raw.length, payload);
    ctx.body = parseJsonBody(raw);
    if (ctx.body !== undefined) deps.limits.checkBody(ctx.body, payload);
    const twinIds = match.route.twinIds?.(ctx) ?? (twinId !== undefined ? [twinId] : []);
    deps.limits.check(op, twinIds);
    reply = await match.route.handler(ctx);
    if (!READ_ONLY_OPS.has(op)) deps.onWrite(op);
  } catch (error) {
    reply = errorReply(toAdtError(error));
  }
  if (op !== undefined) deps.counters.outcome(op, reply.status);
  writeReply(res, reply, common);
}
