// The explorer's one door to ADT: the page never talks to ADT itself (it has no token and the
// emulator's certificate is not the browser's), it asks this loopback proxy, which calls the data
// plane through the SDK client. Writes go through the data plane too, so the change notifications
// (and with them propagation) follow as for any other writer. ADT's own errors pass through as ADT
// returned them: status and `{"error":{code,message,…}}`.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { errorMessage } from '../../shared/common';

/** The client calls the explorer makes (a DigitalTwinsClient has them all). */
export type ExplorerClient = Pick<
  DigitalTwinsClient,
  'queryTwins' | 'listModels' | 'updateDigitalTwin' | 'upsertRelationship' | 'deleteRelationship'
>;

export interface ExplorerOptions {
  client: ExplorerClient;
  /** Without it every write is refused with 403. */
  allowWrites: boolean;
  /** What the page says it is connected to (an instance URL, "the embedded emulator"). */
  target: string;
}

export interface ProxyAnswer {
  status: number;
  /** Sent as JSON; absent for 204. */
  body?: unknown;
}

export interface ProxyRequest {
  method: string;
  /** The path below /adt, e.g. `/digitaltwins/room-101` (still percent-encoded). */
  path: string;
  /** The request body as text ('' when none). */
  body: string;
}

/** A query answer the page can hold: more rows than this are cut, and the answer says so. */
export const maxQueryRows = 1000;

export const readOnlyMessage =
  'This explorer is read-only: twins and relationships can be changed only when it was started with --allow-writes (npm run explore -- --allow-writes).';

export type AdtErrorBody = { error: { code: string; message: string } & Record<string, unknown> };

function adtError(status: number, code: string, message: string): ProxyAnswer {
  return { status, body: { error: { code, message } } satisfies AdtErrorBody };
}

/**
 * What ADT answered, as it answered it. The SDK's RestError keeps the status in `statusCode` and the
 * parsed error body in `details`; anything without a status never reached ADT (network, TLS, token).
 */
export function passThrough(error: unknown): ProxyAnswer {
  const rest = error as { statusCode?: unknown; code?: unknown; details?: unknown };
  if (typeof rest.statusCode === 'number') {
    const details = rest.details as { error?: unknown } | undefined;
    if (details !== null && typeof details === 'object' && details.error !== null && typeof details.error === 'object')
      return { status: rest.statusCode, body: details };
    return adtError(rest.statusCode, typeof rest.code === 'string' ? rest.code : 'Error', errorMessage(error));
  }
  return adtError(502, 'AdtUnreachable', `ADT could not be reached: ${errorMessage(error)}`);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw new BadRequest(`The request body is not JSON (${errorMessage(error)}).`);
  }
}

class BadRequest extends Error {}

/** `/digitaltwins/a%2Fb/relationships/r` → ['digitaltwins', 'a/b', 'relationships', 'r']: split first, then decode (an id may hold `/`). */
function segments(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new BadRequest(`Bad percent-encoding in the path segment "${s}".`);
      }
    });
}

async function query(client: ExplorerClient, body: string): Promise<ProxyAnswer> {
  const parsed = parseJson(body) as { query?: unknown } | null;
  if (parsed === null || typeof parsed !== 'object' || typeof parsed.query !== 'string' || parsed.query.trim() === '')
    throw new BadRequest('Send {"query": "SELECT …"}.');
  const rows: unknown[] = [];
  let queryCharge = 0;
  let truncated = false;
  for await (const page of client.queryTwins(parsed.query).byPage()) {
    queryCharge += page.queryCharge ?? 0;
    for (const row of page.value ?? []) {
      if (rows.length === maxQueryRows) {
        truncated = true;
        break;
      }
      rows.push(row);
    }
    if (truncated) break;
  }
  return { status: 200, body: { rows, queryCharge, truncated } };
}

async function models(client: ExplorerClient): Promise<ProxyAnswer> {
  const list: unknown[] = [];
  for await (const model of client.listModels(undefined, true)) list.push(model);
  return { status: 200, body: { models: list } };
}

async function write(client: ExplorerClient, method: string, parts: string[], body: string): Promise<ProxyAnswer | undefined> {
  const [root, twinId, sub, relationshipId, ...rest] = parts;
  if (root !== 'digitaltwins' || twinId === undefined || rest.length > 0) return undefined;
  if (sub === undefined && method === 'PATCH') {
    const patch = parseJson(body);
    if (!Array.isArray(patch))
      throw new BadRequest('A twin update is a JSON Patch: an array such as [{"op": "replace", "path": "/temperature", "value": 21}].');
    const answer = await client.updateDigitalTwin(twinId, patch);
    return { status: 200, body: { etag: answer.etag } };
  }
  if (sub !== 'relationships' || relationshipId === undefined) return undefined;
  if (method === 'PUT') {
    const relationship = parseJson(body);
    if (relationship === null || typeof relationship !== 'object' || Array.isArray(relationship))
      throw new BadRequest('A relationship is an object: {"$targetId": "…", "$relationshipName": "…", …properties}.');
    const answer = await client.upsertRelationship(twinId, relationshipId, relationship);
    return { status: 200, body: answer.body };
  }
  if (method === 'DELETE') {
    await client.deleteRelationship(twinId, relationshipId);
    return { status: 204 };
  }
  return undefined;
}

const usage =
  'POST /adt/query {"query"}; GET /adt/models; PATCH /adt/digitaltwins/{id} (JSON Patch); PUT or DELETE /adt/digitaltwins/{id}/relationships/{relationshipId}.';

/** One request to the proxy → ADT's answer (or the proxy's own refusal, in ADT's error shape). */
export async function handleAdtRequest(options: ExplorerOptions, request: ProxyRequest): Promise<ProxyAnswer> {
  const isWrite = request.method === 'PATCH' || request.method === 'PUT' || request.method === 'DELETE';
  // Refused before anything is read or sent: a read-only explorer never writes, whatever it is asked.
  if (isWrite && !options.allowWrites) return adtError(403, 'WritesNotAllowed', readOnlyMessage);
  try {
    const parts = segments(request.path);
    if (request.method === 'POST' && parts.length === 1 && parts[0] === 'query') return await query(options.client, request.body);
    if (request.method === 'GET' && parts.length === 1 && parts[0] === 'models') return await models(options.client);
    if (isWrite) {
      const answer = await write(options.client, request.method, parts, request.body);
      if (answer) return answer;
    }
    return adtError(404, 'NotFound', `Not an explorer request: ${request.method} /adt${request.path}. ${usage}`);
  } catch (error) {
    if (error instanceof BadRequest) return adtError(400, 'BadRequest', error.message);
    return passThrough(error);
  }
}
