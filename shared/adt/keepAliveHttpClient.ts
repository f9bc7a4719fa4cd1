// The HTTP layer under the SDK client, on node:https. core-http's own client goes through node-fetch
// and a tough-cookie jar on every request (ADT sets no cookies) and lets Node build a TLS context per
// new socket. On the first batch of 100 new twins (emulator at 15 ms, SDK already loaded) this
// client took the process's CPU from ≈ 690 to ≈ 410 ms and the batch from ≈ 680 to ≈ 470 ms. It
// sends the WebResource as it is, keeps one pool of keep-alive sockets and one TLS context for all of
// them, and hands back the body as text for the SDK's deserialization policy. Requests with proxy settings (HTTPS_PROXY) go to core-http's client, which
// knows how to tunnel.

import type { IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createSecureContext } from 'node:tls';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

import type { HttpClient, HttpOperationResponse, WebResourceLike } from '@azure/core-http';

type CoreHttp = typeof import('@azure/core-http');
/**
 * core-http's RestError and HttpHeaders, resolved on the first request (the SDK has loaded core-http
 * by then; building this client does not load it) and kept: a socket error arriving late must not
 * need a require.
 */
let core: CoreHttp | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const coreHttp = (): CoreHttp => (core ??= require('@azure/core-http') as CoreHttp);

export interface KeepAliveHttpClientOptions {
  /** PEM of the only certificate authority to trust (the emulator's); default: Node's root store. */
  ca?: string;
  /** Sockets per host at most; default unbounded (the gateway's maxConcurrency bounds requests in flight). */
  maxSockets?: number;
}

/** What the SDK's callers (sdkPort.ts) recognise as a cancelled request, like core-http's AbortError. */
class AbortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AbortError';
  }
}

export class KeepAliveHttpClient implements HttpClient {
  readonly agent: Agent;
  private proxied: HttpClient | undefined;
  private opened = 0;

  constructor(options: KeepAliveHttpClientOptions = {}) {
    // One context for every socket: without `secureContext` Node builds (and, with `ca`, parses) one per connection.
    const secureContext = createSecureContext(options.ca === undefined ? {} : { ca: options.ca });
    this.agent = new Agent({ keepAlive: true, secureContext, ...(options.maxSockets !== undefined && { maxSockets: options.maxSockets }) });
    const createConnection = this.agent.createConnection.bind(this.agent);
    this.agent.createConnection = ((...args: Parameters<typeof createConnection>) => {
      this.opened += 1;
      return createConnection(...args);
    }) as typeof createConnection;
  }

  /** TCP+TLS connections opened so far: a warm pool serves a batch without opening more. */
  get connectionsOpened(): number {
    return this.opened;
  }

  sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    const { DefaultHttpClient, HttpHeaders, RestError } = coreHttp();
    if (request.proxySettings) {
      this.proxied ??= new DefaultHttpClient();
      return this.proxied.sendRequest(request);
    }
    if (request.formData !== undefined)
      return Promise.reject(new Error('KeepAliveHttpClient does not send multipart form data (no ADT operation uses it).'));
    const url = new URL(request.url);
    if (url.protocol !== 'https:')
      return Promise.reject(
        new Error(
          `KeepAliveHttpClient only speaks https; got ${url.protocol} for ${request.url}. ADT refuses bearer tokens over plain http.`,
        ),
      );
    if (request.abortSignal?.aborted) return Promise.reject(new AbortError('The operation was aborted.'));
    const body = typeof request.body === 'function' ? (request.body as () => unknown)() : request.body;
    const streamed = typeof (body as Readable | undefined)?.pipe === 'function';
    if (body !== undefined && body !== null && !streamed && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return Promise.reject(
        new Error(
          `KeepAliveHttpClient sends string, Buffer or stream bodies; got ${typeof body}. The SDK serialises operation bodies to strings.`,
        ),
      );
    }
    const headers = request.headers.rawHeaders();
    if (typeof body === 'string' || body instanceof Uint8Array) headers['content-length'] = String(Buffer.byteLength(body));

    return new Promise<HttpOperationResponse>((resolve, reject) => {
      let settled = false;
      let aborted: AbortError | undefined;
      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.abortSignal?.removeEventListener('abort', onAbort);
        outcome();
      };
      // Socket failures keep their code (ECONNRESET…) for GatewayTransport to rename.
      const fail = (error: unknown): void =>
        finish(() => {
          const { message, code } = error as { message?: string; code?: unknown };
          reject(
            aborted ??
              new RestError(message ?? String(error), typeof code === 'string' ? code : RestError.REQUEST_SEND_ERROR, undefined, request),
          );
        });
      const outgoing = httpsRequest(url, { method: request.method, headers, agent: this.agent });
      const onAbort = (): void => {
        aborted = new AbortError('The operation was aborted.');
        outgoing.destroy(aborted);
      };
      request.abortSignal?.addEventListener('abort', onAbort);
      // core-http's `timeout` (0 = none) cancels like an abort; the timer is cleared with the response.
      const timer = request.timeout > 0 ? setTimeout(onAbort, request.timeout) : undefined;
      outgoing.on('error', fail);
      outgoing.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const responseHeaders = new HttpHeaders();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        if (request.streamResponseStatusCodes?.has(status) || request.streamResponseBody) {
          finish(() => resolve({ request, status, headers: responseHeaders, readableStreamBody: response }));
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('aborted', () =>
          fail(Object.assign(new Error('The connection closed before the response was complete.'), { code: 'ECONNRESET' })),
        );
        response.on('end', () => {
          try {
            const bodyAsText = decode(Buffer.concat(chunks), responseHeaders.get('content-encoding')).toString('utf8');
            finish(() => resolve({ request, status, headers: responseHeaders, bodyAsText }));
          } catch (error) {
            finish(() =>
              reject(
                new RestError(
                  `The response body could not be decoded: ${(error as Error).message}`,
                  RestError.PARSE_ERROR,
                  status,
                  request,
                ),
              ),
            );
          }
        });
      });
      if (body === undefined || body === null) outgoing.end();
      else if (streamed) (body as Readable).pipe(outgoing);
      else outgoing.end(body as string | Uint8Array);
    });
  }

  /** Closes the pooled keep-alive sockets (tests and short-lived processes; a worker keeps them). */
  destroy(): void {
    this.agent.destroy();
  }
}

/** We never ask for compression; a server that compresses anyway is still read correctly. */
function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      throw new Error(`unsupported content-encoding "${encoding}"`);
  }
}
