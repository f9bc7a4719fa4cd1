// --follow: a loopback HTTP port that accepts telemetry envelopes (the simulator's --to target), so
// the local loop runs live. POST /telemetry with ndjson (one envelope per line) → 202 {"accepted": n}.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { parseEnvelopes, type TelemetryEnvelope } from './envelope';

export interface Ingress {
  url: string;
  close(): Promise<void>;
}

const maxBodyBytes = 16 * 1024 * 1024;

export async function startIngress(port: number, accept: (envelopes: TelemetryEnvelope[]) => void, status: () => unknown): Promise<Ingress> {
  const server: Server = createServer((req, res) => {
    const reply = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/status') return reply(200, status());
    if (req.method !== 'POST' || req.url !== '/telemetry') return reply(404, { error: 'POST /telemetry (ndjson envelopes) or GET /status' });
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
      try {
        const envelopes = parseEnvelopes(Buffer.concat(chunks).toString('utf8'), 'request body');
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
