// POST /api/telemetry on the --follow ingress → the registered ingestHttp function, invoked the way
// the host invokes an HTTP trigger: an RpcHttp request through the captured ProgrammingModel, so the
// library builds the HttpRequest the handler reads (headers, body bytes) exactly as in Azure.
import type { FunctionApp } from './functionApp';
import type { HttpAnswer } from './ingress';
import { FunctionInstances } from './instances';
import { type FunctionLogLine, invokeRegistration, triggerBindingOf } from './invoke';
import type { RpcInvocationRequest } from './rpcTypes';

interface HttpResponseLike {
  status?: number;
  headers?: Record<string, string> | Headers;
  jsonBody?: unknown;
  body?: unknown;
}

export function httpIngestInvoker(
  app: FunctionApp | FunctionInstances,
  log: (line: FunctionLogLine) => void,
): (body: Buffer, headers: Record<string, string>, url: string) => Promise<HttpAnswer> {
  const { name: triggerName } = triggerBindingOf(app.http);
  return async (body, headers, url) => {
    // As the Functions host does: a request sent with chunked transfer encoding reaches the function
    // without its body (only a Content-Length body is passed on).
    const delivered = /\bchunked\b/i.test(headers['transfer-encoding'] ?? '') ? new Uint8Array(0) : new Uint8Array(body);
    const request: RpcInvocationRequest = {
      inputData: [{ name: triggerName, data: { http: { method: 'POST', url, headers, body: { bytes: delivered } } } }],
      triggerMetadata: {},
    };
    // With --instances, any instance takes it (the least busy), as the Functions front end balances HTTP.
    const result = (await (app instanceof FunctionInstances
      ? app.invokeHttp(request, log)
      : invokeRegistration(app.programmingModel, app.http, request, log))) as HttpResponseLike | undefined;
    return answerOf(result);
  };
}

/** What the host writes for the handler's HttpResponseInit (jsonBody → JSON with its content type). */
export function answerOf(result: HttpResponseLike | undefined): HttpAnswer {
  const headers: Record<string, string> = {};
  const given = result?.headers;
  if (given instanceof Headers) given.forEach((value, name) => (headers[name] = value));
  else if (given) Object.assign(headers, given);
  if (result?.jsonBody !== undefined) {
    headers['content-type'] ??= 'application/json';
    return { status: result.status ?? 200, headers, body: JSON.stringify(result.jsonBody) };
  }
  const body = typeof result?.body === 'string' ? result.body : '';
  return { status: result?.status ?? (body ? 200 : 204), headers, body };
}
