// The HTTP layer under the SDK client, against a local HTTPS server that counts the TCP connections it
// accepted: what goes on the wire, what comes back, connection reuse, one TLS context, cancellation,
// socket errors, trust, and the hand-over of proxied requests to core-http's client.
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import tls from 'node:tls';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

import { HttpHeaders, WebResource } from '@azure/core-http';

import { generateIdentity, type TlsIdentity } from '../../../local/emulator/tls';
import { GatewayTransport, KeepAliveHttpClient } from '../../../shared/adt';

let identity: TlsIdentity;
let server: Server;
let base: string;
let accepted = 0;
let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void;
const clients: KeepAliveHttpClient[] = [];

beforeAll(async () => {
  identity = await generateIdentity();
  server = createServer({ cert: identity.cert, key: identity.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  server.on('connection', () => (accepted += 1));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  accepted = 0;
  handler = (_req, _body, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  server.closeAllConnections();
});

function trusting(): KeepAliveHttpClient {
  const client = new KeepAliveHttpClient({ ca: identity.cert });
  clients.push(client);
  return client;
}

function get(path: string): WebResource {
  return new WebResource(`${base}${path}`, 'GET');
}

it('sends method, path, query, headers and body as given, and returns status, headers and the body as text', async () => {
  let seen: { method?: string; url?: string; headers?: IncomingMessage['headers']; body?: string } = {};
  handler = (req, body, res) => {
    seen = { method: req.method, url: req.url, headers: req.headers, body };
    res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', etag: 'W/"1"', 'x-multi': ['a', 'b'] }).end('{"created":"ü"}');
  };
  const body = JSON.stringify([{ op: 'replace', path: '/t', value: 'ü' }]);
  const request = new WebResource(
    `${base}/digitaltwins/a%2Fb?api-version=2022-05-31`,
    'PATCH',
    body,
    undefined,
    new HttpHeaders({ 'content-type': 'application/json-patch+json', 'if-match': '*' }),
  );
  const response = await trusting().sendRequest(request);
  expect(seen).toMatchObject({ method: 'PATCH', url: '/digitaltwins/a%2Fb?api-version=2022-05-31', body });
  expect(seen.headers).toMatchObject({
    'content-type': 'application/json-patch+json',
    'if-match': '*',
    'content-length': String(Buffer.byteLength(body)),
  });
  // Nothing the SDK did not ask for: no cookie jar header, no compression request.
  expect(seen.headers?.cookie).toBeUndefined();
  expect(seen.headers?.['accept-encoding']).toBeUndefined();
  expect(response.status).toBe(201);
  expect(response.bodyAsText).toBe('{"created":"ü"}');
  expect(response.headers.get('ETag')).toBe('W/"1"');
  expect(response.headers.get('x-multi')).toBe('a, b');
  expect(response.request).toBe(request);
});

it('keeps connections alive: sequential requests share one, a second concurrent round opens none', async () => {
  const client = trusting();
  for (let i = 0; i < 5; i++) await client.sendRequest(get(`/seq/${i}`));
  expect(accepted).toBe(1);
  await Promise.all(Array.from({ length: 6 }, (_, i) => client.sendRequest(get(`/a/${i}`))));
  const afterFirstRound = accepted;
  expect(afterFirstRound).toBeLessThanOrEqual(6);
  await Promise.all(Array.from({ length: 6 }, (_, i) => client.sendRequest(get(`/b/${i}`))));
  expect(accepted).toBe(afterFirstRound);
  expect(client.connectionsOpened).toBe(accepted);
});

it('caps sockets per host at maxSockets', async () => {
  const client = new KeepAliveHttpClient({ ca: identity.cert, maxSockets: 2 });
  clients.push(client);
  await Promise.all(Array.from({ length: 8 }, (_, i) => client.sendRequest(get(`/c/${i}`))));
  expect(accepted).toBe(2);
});

it('builds one TLS context for all its connections', async () => {
  const client = trusting();
  const contexts = jest.spyOn(tls, 'createSecureContext');
  try {
    await Promise.all(Array.from({ length: 4 }, (_, i) => client.sendRequest(get(`/ctx/${i}`))));
    expect(accepted).toBe(4);
    expect(contexts).not.toHaveBeenCalled();
  } finally {
    contexts.mockRestore();
  }
});

it('trusts only the given authority: without it the self-signed server is refused', async () => {
  const client = new KeepAliveHttpClient();
  clients.push(client);
  await expect(client.sendRequest(get('/x'))).rejects.toMatchObject({ name: 'RestError', code: expect.stringMatching(/CERT|SELF_SIGNED/) });
});

it('reads gzip, deflate and brotli bodies a server compresses unasked', async () => {
  for (const [encoding, compress] of [
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const) {
    handler = (_req, _body, res) =>
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': encoding }).end(compress('{"zipped":1}'));
    await expect(trusting().sendRequest(get('/z'))).resolves.toMatchObject({ status: 200, bodyAsText: '{"zipped":1}' });
  }
  handler = (_req, _body, res) => res.writeHead(200, { 'content-encoding': 'compress' }).end('x');
  await expect(trusting().sendRequest(get('/z'))).rejects.toMatchObject({ name: 'RestError', code: 'PARSE_ERROR', statusCode: 200 });
});

it('hands the body over as a stream for the status codes the operation streams', async () => {
  const request = get('/s');
  request.streamResponseStatusCodes = new Set([200]);
  const response = await trusting().sendRequest(request);
  expect(response.bodyAsText).toBeUndefined();
  const chunks: Buffer[] = [];
  for await (const chunk of response.readableStreamBody as AsyncIterable<Buffer>) chunks.push(chunk);
  expect(Buffer.concat(chunks).toString()).toBe('{"ok":true}');
});

it('sends a stream body', async () => {
  let received = '';
  handler = (_req, body, res) => {
    received = body;
    res.writeHead(204).end();
  };
  const stream = new PassThrough();
  stream.end('streamed');
  await expect(trusting().sendRequest(new WebResource(`${base}/p`, 'POST', stream))).resolves.toMatchObject({ status: 204 });
  expect(received).toBe('streamed');
});

it('cancels on the abort signal and on the request timeout with an AbortError; an aborted signal sends nothing', async () => {
  handler = () => undefined; // never answers
  const controller = new AbortController();
  const request = get('/slow');
  request.abortSignal = controller.signal;
  const pending = trusting().sendRequest(request);
  setTimeout(() => controller.abort(), 50);
  await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

  const timed = get('/slow');
  timed.timeout = 50;
  await expect(trusting().sendRequest(timed)).rejects.toMatchObject({ name: 'AbortError' });

  accepted = 0;
  const already = get('/never');
  already.abortSignal = AbortSignal.abort();
  await expect(trusting().sendRequest(already)).rejects.toMatchObject({ name: 'AbortError' });
  expect(accepted).toBe(0);
});

it('keeps a socket error code, which GatewayTransport turns into a transport error the gateway retries', async () => {
  handler = (req) => req.socket.destroy();
  await expect(trusting().sendRequest(get('/reset'))).rejects.toMatchObject({ name: 'RestError', code: 'ECONNRESET' });
  await expect(new GatewayTransport(trusting()).sendRequest(get('/reset'))).rejects.toMatchObject({
    name: 'RestError',
    code: 'ADT_TRANSPORT_ECONNRESET',
  });
});

it('refuses plain http and bodies it cannot send, saying why', async () => {
  await expect(trusting().sendRequest(new WebResource('http://127.0.0.1:1/x', 'GET'))).rejects.toThrow(/only speaks https/);
  await expect(trusting().sendRequest(new WebResource(`${base}/x`, 'POST', { not: 'serialised' }))).rejects.toThrow(
    /string, Buffer or stream bodies/,
  );
  expect(accepted).toBe(0);
});

it("gives requests with proxy settings to core-http's client, which tunnels through the proxy", async () => {
  const connects: string[] = [];
  const proxy = createHttpServer();
  proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  try {
    const request = get('/via-proxy');
    request.proxySettings = { host: 'http://127.0.0.1', port: (proxy.address() as AddressInfo).port };
    // core-http's tunnel trusts Node's root store, not our `ca`: the TLS handshake through the tunnel fails.
    await expect(trusting().sendRequest(request)).rejects.toThrow(/certificate/i);
    expect(connects).toEqual([new URL(base).host]);
  } finally {
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  }
});
