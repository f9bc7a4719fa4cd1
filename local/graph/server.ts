// The live graph page of `npm run local -- --follow` and `npm run explore`: a loopback HTTP server of
// its own (the ingress port stays the pipeline's). GET / is the page, GET /events the server-sent
// events that carry what changed, POST /preview the mapping preview of one envelope against the twins
// as they are now (no ADT write), POST /send hands the envelope to the running loop's ingress, and
// /adt/… is the explorer's proxy to the data plane (adtProxy.ts).
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { errorMessage } from '../../shared/common';
import { parseEnvelope } from '../../shared/ingest';
import { ScenarioPreviewer } from '../map/preview';
import type { ImportedTwin, Scenario } from '../scenario';
import { type ExplorerOptions, handleAdtRequest } from './adtProxy';
import { pageScripts } from './libraries';
import { type GraphSource, type GraphUpdate, isEmptyUpdate, LiveGraph } from './liveGraph';
import { type DeadLetterView, renderPage } from './page';
import { sampleEnvelope } from './rollupsOfScenario';
import { derivationsWithStates, loadScenarioPipeline, ruleListOf, statusRulesOf } from './scenarioRules';

export interface GraphServerOptions {
  /** 0 = an ephemeral port. */
  port: number;
  source: GraphSource;
  /** The scenario's roll-ups mark derived values; without one (an instance explored as it is) nothing is marked and preview/send are off. */
  scenario?: Scenario;
  /** Default: "Twin graph: <scenario name>". */
  title?: string;
  /** The explorer's query box, models and edits, through this client (adtProxy.ts). */
  explorer?: ExplorerOptions;
  counters: () => Record<string, unknown>;
  deadLetters: () => Promise<{ items: DeadLetterView[]; note?: string }>;
  /** The loop's ingress (POST <ingressUrl>/telemetry takes ndjson envelopes); "send" is off without it. */
  ingressUrl?: string;
  /** Time between polls of the graph (default 250 ms). */
  pollMs?: number;
}

export interface GraphServer {
  url: string;
  /** One poll now, pushed to the clients (the runner calls it before it reports, so pages show the end state). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

const maxBodyBytes = 1024 * 1024;
/** Bodies the page sends: JSON only, which another site's page cannot send without a preflight this server never answers. */
const jsonBody = /^application\/(json|json-patch\+json)\b/i;
const heartbeatMs = 15_000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error(`Body over ${maxBodyBytes} bytes; "try a message" takes one envelope, a query or an edit is smaller.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function envelopeFrom(body: string): ReturnType<typeof parseEnvelope> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new Error(`The message is not JSON (${errorMessage(error)}). Paste one envelope: {"deviceId": …, "body": {…}}.`);
  }
  // As HTTP ingest does: a message without an enqueued time is stamped with the time of receipt.
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && !('enqueuedTime' in parsed))
    parsed = { ...parsed, enqueuedTime: new Date().toISOString() };
  return parseEnvelope(JSON.stringify(parsed), 'the message');
}

function forward(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A request for this server by name: 127.0.0.1, localhost or [::1] on its port. Anything else is a
 * page of another site that had its own name resolve to 127.0.0.1 (DNS rebinding), and must not
 * reach ADT with this process's credential.
 */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host !== undefined && [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

export async function startGraphServer(options: GraphServerOptions): Promise<GraphServer> {
  const { scenario, explorer } = options;
  const pipeline = scenario ? loadScenarioPipeline(scenario) : undefined;
  const rules = ruleListOf(pipeline?.rollups);
  const live = new LiveGraph({
    source: options.source,
    derivations: derivationsWithStates(pipeline?.rollups, scenario?.models),
    statusRules: statusRulesOf(pipeline, scenario?.models),
    knownModels: scenario ? scenario.models.map((m) => String(m['@id'])) : [],
    counters: options.counters,
    deadLetters: options.deadLetters,
  });
  await live.poll();
  const scripts = new Map(pageScripts().map((s) => [s.path, s.text]));
  const sample = scenario ? sampleEnvelope(scenario) : undefined;
  const title = options.title ?? `Twin graph: ${scenario?.name ?? 'ADT'}`;
  let port = 0;
  const clients = new Set<ServerResponse>();

  const send = (res: ServerResponse, event: string, update: GraphUpdate | Record<string, never>): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(update)}\n\n`);
  };

  const server = createServer((req, res) => {
    const reply = (code: number, type: string, body: string): void => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    };
    const json = (code: number, body: unknown): void => reply(code, 'application/json', JSON.stringify(body));
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === '/') {
      const dead = live.currentDeadLetters();
      return reply(
        200,
        'text/html; charset=utf-8',
        renderPage({
          title,
          mode: 'live',
          generatedAt: new Date().toISOString(),
          graph: live.view(),
          counters: live.currentCounters(),
          deadLetters: dead.items,
          ...(dead.note && { deadLetterNote: dead.note }),
          ...(sample !== undefined && { sampleEnvelope: sample }),
          ...(rules.length > 0 && { rules }),
          ...(explorer && { explorer: { writable: explorer.allowWrites, target: explorer.target } }),
          ...(!scenario && { withoutLoop: true }),
        }),
      );
    }
    if (path.startsWith('/adt/')) {
      if (!explorer) return json(404, { error: { code: 'NotFound', message: 'This page has no explorer.' } });
      if (!isLoopbackHost(req.headers.host, port))
        return json(403, {
          error: {
            code: 'Forbidden',
            message: `Open the explorer as http://127.0.0.1:${port}/ (this request named the host "${req.headers.host ?? ''}").`,
          },
        });
      if (req.method !== 'GET' && req.method !== 'DELETE' && !jsonBody.test(req.headers['content-type'] ?? ''))
        return json(415, { error: { code: 'UnsupportedMediaType', message: 'Send JSON (content-type: application/json).' } });
      readBody(req)
        .then((body) => handleAdtRequest(explorer, { method: req.method ?? 'GET', path: path.slice('/adt'.length), body }))
        .then((answer) => {
          if (answer.body === undefined) res.writeHead(answer.status, { 'cache-control': 'no-store' }).end();
          else json(answer.status, answer.body);
          // A write shows on the page at once, not at the next poll.
          if (answer.status < 300 && req.method !== 'GET' && req.method !== 'POST') void pollOnce();
        })
        .catch((error: unknown) => json(400, { error: { code: 'BadRequest', message: errorMessage(error) } }));
      return;
    }
    const script = req.method === 'GET' ? scripts.get(path) : undefined;
    if (script !== undefined) return reply(200, 'text/javascript; charset=utf-8', script);
    if (req.method === 'GET' && path === '/state') return json(200, live.snapshot());
    if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 2000\n\n');
      // Everything first: a change between the page's load and this connection is not lost.
      send(res, 'update', live.snapshot());
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (req.method === 'POST' && (path === '/preview' || path === '/send')) {
      // JSON only: another site's page cannot send that cross-origin without a preflight this server
      // never answers, so it cannot push messages into a developer's running loop.
      if (!jsonBody.test(req.headers['content-type'] ?? ''))
        return json(415, { error: 'Send the envelope as JSON (content-type: application/json).' });
      readBody(req)
        .then(async (body) => {
          const envelope = envelopeFrom(body);
          if (!scenario)
            return json(409, {
              error: 'This page explores an instance without a scenario: there is no mapping to preview and no loop to send to.',
            });
          if (path === '/preview') {
            const { twins } = await options.source.read();
            // The twins as they are now, so stale values and model checks are those the loop would meet.
            const current = [...twins].map((t) => structuredClone(t) as ImportedTwin);
            const previewer = new ScenarioPreviewer({ ...scenario, graph: { ...scenario.graph, twins: current } });
            return json(200, { problems: previewer.problems, preview: await previewer.preview(envelope) });
          }
          if (!options.ingressUrl) return json(409, { error: 'This run has no ingress to send to; start it with --follow.' });
          const answer = await forward(`${options.ingressUrl}/telemetry`, `${JSON.stringify(envelope)}\n`);
          return reply(answer.status, 'application/json', answer.body);
        })
        .catch((error: unknown) => json(400, { error: errorMessage(error) }));
      return;
    }
    json(404, {
      error: `GET / (the graph page), /events, /state; POST /preview or /send with one envelope${explorer ? '; /adt/… (the explorer)' : ''}.`,
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`--graph-port ${options.port} is in use; pick another port or leave --graph-port out for a free one.`)
          : error,
      ),
    );
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  let closed = false;
  let polls = 0;
  let running: Promise<void> = Promise.resolve();
  const pollOnce = (): Promise<void> =>
    (running = running
      .then(async () => {
        // Dead letters are files: listed once a second, the graph four times.
        const update = await live.poll({ deadLetters: polls++ % 4 === 0 });
        if (!isEmptyUpdate(update)) for (const client of clients) send(client, 'update', update);
      })
      .catch((error: unknown) => {
        if (!closed) console.error(`Graph view: ${errorMessage(error)}`);
      }));
  let timer: NodeJS.Timeout | undefined;
  // A big graph polls less often: the view takes at most a tenth of the time between polls.
  const schedule = (lastMs = 0): void => {
    if (closed) return;
    timer = setTimeout(
      () => {
        const started = Date.now();
        void pollOnce().then(() => schedule(Date.now() - started));
      },
      Math.max(options.pollMs ?? 250, lastMs * 10),
    );
  };
  schedule();
  const heartbeat = setInterval(() => {
    for (const client of clients) client.write(': keep-alive\n\n');
  }, heartbeatMs);

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    refresh: () => pollOnce(),
    close: () =>
      (closing ??= (async () => {
        closed = true;
        if (timer) clearTimeout(timer);
        clearInterval(heartbeat);
        await running;
        for (const client of clients) {
          send(client, 'end', {});
          client.end();
        }
        clients.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}
