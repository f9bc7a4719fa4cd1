// HTTP → ADT: the same pipeline as ingestTelemetry for services that are not IoT Hub. Registration
// and adaptation only: shared/ingest parses the envelopes and processBatch does the work.
//   POST /api/telemetry   body: one envelope, a JSON array of envelopes, or ndjson
//   200 { summary, messages: [{ index, messageId, outcome, reasons }] }   every message accounted for
//   400 not JSON/ndjson · 401 no validated Entra ID caller (HTTP_INGEST_AUTH=entraId)
//   413 too large or too many · 503 ADT unavailable past the deadline (retry)

import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { AdtDeadlineExceededError, isRetriable, sharedCredential } from '../shared/adt';
import { errorMessage } from '../shared/common';
import {
  envelopeEvents,
  httpIngestAnswer,
  type HttpIngestAuth,
  httpIngestAuthLevel,
  httpIngestAuthOf,
  httpIngestCallerProblem,
  httpIngestLimits,
  parseHttpIngestBody,
  processBatch,
} from '../shared/ingest';
import { readSetting } from '../shared/settings';
import { startAzureMonitor } from '../shared/telemetry';
import { type IngestRuntime, worker } from '../shared/worker';

// Metrics and traces to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set
// (idempotent: whichever function file the host loads first starts it).
startAzureMonitor({ credential: sharedCredential });

export type HttpIngestHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

const problem = (status: number, error: string, headers: Record<string, string> = {}): HttpResponseInit => ({
  status,
  jsonBody: { error },
  headers,
});

export function createHttpIngestHandler(runtime: () => IngestRuntime, auth: HttpIngestAuth = 'functionKey'): HttpIngestHandler {
  return async (request, context) => {
    const unauthorised = httpIngestCallerProblem(auth, (name) => request.headers.get(name));
    if (unauthorised) return problem(401, unauthorised);
    const declared = Number(request.headers.get('content-length') ?? Number.NaN);
    if (declared > httpIngestLimits.maxBodyBytes)
      return problem(
        413,
        `The request body has ${declared} bytes, more than ${httpIngestLimits.maxBodyBytes}; send fewer envelopes per request.`,
      );
    const parsed = parseHttpIngestBody(new Uint8Array(await request.arrayBuffer()));
    if (!parsed.ok) return problem(parsed.status, parsed.error);
    try {
      const result = await processBatch(envelopeEvents(parsed.items, new Date()), {
        ...runtime(),
        partitionId: 'http',
        log: (line) => context.info(JSON.stringify(line)),
      });
      return { status: 200, jsonBody: httpIngestAnswer(result) };
    } catch (error) {
      // processBatch throws only when the batch must be tried again (ADT unavailable or throttling past
      // the deadline, a dead letter that could not be stored). Nothing was lost: the caller still holds
      // the request and retries it; the writes are idempotent.
      const cause =
        error instanceof AdtDeadlineExceededError || isRetriable(error)
          ? 'ADT is unavailable or throttling past the deadline'
          : 'the request could not be completed';
      return problem(503, `${cause}; retry the request later. (${errorMessage(error)})`, { 'retry-after': '10' });
    }
  };
}

// HTTP_INGEST_AUTH: a function key (default), or Entra ID through App Service authentication.
const auth = httpIngestAuthOf(readSetting('httpIngestAuth'));

export const ingestHttp: HttpIngestHandler = createHttpIngestHandler(() => worker().ingest, auth);

app.http('ingestHttp', { methods: ['POST'], route: 'telemetry', authLevel: httpIngestAuthLevel(auth), handler: ingestHttp });
