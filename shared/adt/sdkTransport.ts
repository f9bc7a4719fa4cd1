// The HTTP layer under the SDK client. core-http 2.x always installs a throttling policy (429/503
// with Retry-After, 3 retries) and a socket-error policy (3 retries, 30 s steps) that cannot be
// configured through DigitalTwinsClientOptions. Both would hide 429s from our counters and wait
// past our deadline, so this transport moves Retry-After to a private header and renames socket
// error codes; the gateway's retry loop (retry.ts) then makes every decision itself.

import type { HttpClient, HttpOperationResponse, WebResourceLike } from '@azure/core-http';

import { KeepAliveHttpClient } from './keepAliveHttpClient';

/** core-http is loaded with the first client, not when the app loads (a cold worker does not pay for it before it needs it). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const coreHttp = (): typeof import('@azure/core-http') => require('@azure/core-http') as typeof import('@azure/core-http');

/** Where the transport keeps the service's Retry-After for sdkPort.ts to read. */
export const gatewayRetryAfterHeader = 'x-adt-gateway-retry-after';

const socketErrorCodes = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'ENOENT']);

/** Carries the caller's traceparent past core-http's tracing policy to the wire (sdkPort.ts); never sent. */
export const deviceTraceHeader = 'x-pipeline-traceparent';

export class GatewayTransport implements HttpClient {
  private readonly inner: HttpClient;

  constructor(inner?: HttpClient) {
    this.inner = inner ?? new KeepAliveHttpClient();
  }

  async sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    const deviceTrace = request.headers.get(deviceTraceHeader);
    if (deviceTrace !== undefined) {
      request.headers.set('traceparent', deviceTrace);
      request.headers.remove(deviceTraceHeader);
    }
    let response: HttpOperationResponse;
    try {
      response = await this.inner.sendRequest(request);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && socketErrorCodes.has(code)) {
        throw new (coreHttp().RestError)(`${code}: ${(error as Error).message}`, `ADT_TRANSPORT_${code}`, undefined, request);
      }
      throw error;
    }
    if (response.status === 429 || response.status === 503) {
      const retryAfter = response.headers.get('retry-after');
      if (retryAfter !== undefined) {
        response.headers.remove('retry-after');
        response.headers.set(gatewayRetryAfterHeader, retryAfter);
      }
    }
    return response;
  }
}
