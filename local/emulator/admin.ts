// The emulator's own control API under /$admin/ (no auth, not counted, not throttled, no faults):
// what tests and the runner use to reset, inspect and reconfigure a running instance.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { errors } from './errors';
import type { FaultOptions } from './faults';
import { readRawBody } from './http/readBody';
import { empty, errorReply, json, type Reply, toAdtError, writeReply } from './http/respond';
import { splitPath } from './http/router';
import type { ImportSummary } from './importJob';
import type { ServiceLimitsOptions } from './limits';
import { MAX_MODEL_REQUEST_BYTES } from './limits';
import { isJsonObject } from './metadata';

export interface AdminTarget {
  reset(): Promise<void>;
  state(): unknown;
  countersReport(): unknown;
  resetCounters(): void;
  updateFaults(options: Partial<FaultOptions>): void;
  updateLimits(options: Partial<ServiceLimitsOptions>): void;
  importNdjson(text: string): Promise<ImportSummary>;
}

/** True when the path belongs to the admin API (`$` may arrive percent-encoded). */
export function isAdminPath(rawPath: string): boolean {
  return splitPath(rawPath)?.[0] === '$admin';
}

const parse = (raw: Buffer): unknown => {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw errors.invalidArgument('The admin request body must be JSON.');
  }
};

function objectBody(raw: Buffer, what: string): Record<string, unknown> {
  const body = parse(raw);
  if (!isJsonObject(body)) throw errors.invalidArgument(`PUT /$admin/${what} takes a JSON object of options to change.`);
  return body;
}

async function route(target: AdminTarget, method: string, path: string, raw: Buffer): Promise<Reply> {
  switch (`${method} ${path}`) {
    case 'POST reset':
      await target.reset();
      return empty(204);
    case 'GET state':
      return json(200, target.state());
    case 'GET counters':
      return json(200, target.countersReport());
    case 'POST counters/reset':
      target.resetCounters();
      return empty(204);
    case 'PUT faults':
      target.updateFaults(objectBody(raw, 'faults') as Partial<FaultOptions>);
      return empty(204);
    case 'PUT limits':
      target.updateLimits(objectBody(raw, 'limits') as Partial<ServiceLimitsOptions>);
      return empty(204);
    case 'POST import':
      return json(200, await target.importNdjson(raw.toString('utf8')));
    default:
      throw errors.notFoundRoute(method, `/$admin/${path}`);
  }
}

export async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, target: AdminTarget): Promise<void> {
  let reply: Reply;
  try {
    const raw = await readRawBody(req, MAX_MODEL_REQUEST_BYTES);
    const path = (splitPath(url.pathname) ?? []).slice(1).join('/');
    reply = await route(target, req.method ?? 'GET', path, raw);
  } catch (error) {
    reply = errorReply(toAdtError(error));
  }
  writeReply(res, reply, {});
}
