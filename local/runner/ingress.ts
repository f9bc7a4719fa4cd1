// --follow: a loopback HTTP port that accepts telemetry envelopes (the simulator's --to target), so
// the local loop runs live.
//   POST /telemetry       ndjson (one envelope per line) → 202 {"accepted": n}; fed as Event Hub batches
//   POST /api/telemetry   the HTTP ingest function (functions/ingestHttp) invoked through the local
//                         Functions host: its own answer, per-message outcomes (no function key locally)
//   GET  /metrics         the pipeline's OpenTelemetry metrics, Prometheus text
//   GET  /status          the runner's counters
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { parseEnvelopes, type TelemetryEnvelope } from './envelope';

/** --ingress-port's default; test.http and the simulator's --to examples use it. */
export const DEFAULT_INGRESS_PORT = 7300;

export interface Ingress {
  url: string;
  close(): Promise<void>;
}

/** The HTTP function's answer, as the host would write it. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IngressRoutes {
  /** GET /metrics. */
  metrics?: (request: IncomingMessage, response: ServerResponse) => void;
  /** POST /api/telemetry: the raw body and headers go to the HTTP ingest function. */
  httpIngest?: (body: Buffer, headers: Record<string, string>, url: string) => Promise<HttpAnswer>;
}

const maxBodyBytes = 16 * 1024 * 1024;

function plainHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

export async function startIngress(
  port: number,
  accept: (envelopes: TelemetryEnvelope[]) => void,
  status: () => unknown,
  routes: IngressRoutes = {},
): Promise<Ingress> {
  const server: Server = createServer((req, res) => {
    const reply = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/status') return reply(200, status());
    if (req.method === 'GET' && path === '/metrics' && routes.metrics) return routes.metrics(req, res);
    const toFunction = req.method === 'POST' && path === '/api/telemetry' && routes.httpIngest;
    if (!toFunction && (req.method !== 'POST' || path !== '/telemetry')) {
      return reply(404, {
        error:
          'POST /telemetry (ndjson envelopes, Event Hub path), POST /api/telemetry (the HTTP ingest function), GET /metrics or GET /status',
      });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reply(413, { error: `Body over ${maxBodyBytes} bytes; send smaller chunks.` });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      const body = Buffer.concat(chunks);
      if (toFunction) {
        toFunction(body, plainHeaders(req), `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? ''}`).then(
          (answer) => res.writeHead(answer.status, answer.headers).end(answer.body),
          (error: unknown) => reply(500, { error: `The HTTP ingest function failed: ${(error as Error)?.message ?? String(error)}` }),
        );
        return;
      }
      try {
        const envelopes = parseEnvelopes(body.toString('utf8'), 'request body');
        accept(envelopes);
        reply(202, { accepted: envelopes.length });
      } catch (error) {
        reply(400, { error: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}`,
    // Idempotent: the runner closes it on stop and again in its cleanup.
    close: () => (closing ??= new Promise((resolve) => server.close(() => resolve()))),
  };
}
