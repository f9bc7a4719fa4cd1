// The live graph server on its own: the page and its scripts from this port, server-sent events that
// start with the whole graph and then carry changes, the mapping preview (no write) and "send".
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type GraphServer, startGraphServer, type WireDocument } from '../../../local/graph';
import { loadScenario } from '../../../local/scenario';
import { buildingScenario } from '../../e2e/support/runLocal';

const scenario = loadScenario(buildingScenario);

function fakeStore() {
  const twins = new Map<string, WireDocument>(scenario.graph.twins.map((t) => [t.$dtId, { ...t, $etag: 'W/"0"' }]));
  const relationships = scenario.graph.relationships.map((r) => ({ ...r, $sourceId: r.$dtId, $etag: 'W/"0"' }) as WireDocument);
  return { twins, relationships, source: { read: () => Promise.resolve({ twins: twins.values(), relationships }) } };
}

async function fakeIngress(): Promise<{ url: string; bodies: string[]; server: Server }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(`${req.method} ${req.url} ${Buffer.concat(chunks).toString('utf8')}`);
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

/** Server-sent events as they arrive: [event, data] pairs. */
function events(url: string): { received: Array<[string, unknown]>; next(n: number): Promise<void>; close(): void } {
  const received: Array<[string, unknown]> = [];
  let buffer = '';
  let waiting: { n: number; done: () => void } | undefined;
  let response: IncomingMessage | undefined;
  const req = get(`${url}/events`, (res) => {
    response = res;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) received.push([event, JSON.parse(data)]);
      }
      if (waiting && received.length >= waiting.n) waiting.done();
    });
  });
  return {
    received,
    next: (n) => new Promise<void>((done) => (received.length >= n ? done() : (waiting = { n, done }))),
    close: () => {
      response?.destroy();
      req.destroy();
    },
  };
}

const json = { 'content-type': 'application/json' };

let server: GraphServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(extra: { ingressUrl?: string; port?: number } = {}) {
  const store = fakeStore();
  const counters = { applied: 0 };
  server = await startGraphServer({
    port: extra.port ?? 0,
    source: store.source,
    scenario,
    counters: () => counters,
    deadLetters: () => Promise.resolve({ items: [] }),
    pollMs: 60_000,
    ...(extra.ingressUrl && { ingressUrl: extra.ingressUrl }),
  });
  return { store, counters, url: server.url };
}

it('serves the page with its scripts from its own port, and the current graph in it', async () => {
  const { url } = await start();
  const page = await (await fetch(`${url}/`)).text();
  const sources = [...page.matchAll(/<script[^>]* src="([^"]+)"/g)].map((m) => m[1]);
  expect(sources).toEqual(['/lib/cytoscape.min.js', '/lib/cytoscape-dagre.min.js', '/graph-page.js']);
  for (const src of sources) {
    const res = await fetch(`${url}${src}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    expect((await res.text()).length).toBeGreaterThan(1000);
  }
  for (const twin of scenario.graph.twins) expect(page).toContain(`"id":"${twin.$dtId}"`);
  expect(page).toContain('"mode":"live"');
});

it('events start with the whole graph, then carry what changed', async () => {
  const { url, store, counters } = await start();
  const stream = events(url);
  try {
    await stream.next(1);
    const [event, first] = stream.received[0] as [string, { full: boolean; twins: unknown[] }];
    expect(event).toBe('update');
    expect(first.full).toBe(true);
    expect(first.twins).toHaveLength(scenario.graph.twins.length);
    const room = store.twins.get('room-101') as WireDocument;
    store.twins.set('room-101', { ...room, $etag: 'W/"1"', temperature: 22.5 });
    counters.applied = 1;
    await server?.refresh();
    await stream.next(2);
    const second = stream.received[1]?.[1] as {
      twins: Array<{ id: string; properties: Array<{ name: string; value: unknown; derived?: { rule: string } }> }>;
      counters: unknown;
    };
    expect(second.twins.map((t) => t.id)).toEqual(['room-101']);
    expect(second.twins[0]?.properties.find((p) => p.name === 'temperature')).toMatchObject({
      value: 22.5,
      derived: { rule: 'room-climate' },
    });
    expect(second.counters).toEqual({ applied: 1 });
    // Closing tells the page the run is over.
    await server?.close();
    await stream.next(3);
    expect(stream.received[2]?.[0]).toBe('end');
  } finally {
    stream.close();
  }
});

it('previews an envelope against the current twins without writing, and stamps a missing enqueuedTime', async () => {
  const { url, store } = await start();
  const before = JSON.stringify([...store.twins.values()]);
  const res = await fetch(`${url}/preview`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ deviceId: 'thermostat-101', body: { temperature: 19.25, ts: new Date().toISOString() } }),
  });
  expect(res.status).toBe(200);
  const { preview } = (await res.json()) as {
    preview: {
      decoded: { enqueuedTime: string };
      rules: string[];
      twins: Array<{ twinId: string; patch: Array<{ path: string; value: unknown }> }>;
    };
  };
  expect(Math.abs(Date.parse(preview.decoded.enqueuedTime) - Date.now())).toBeLessThan(60_000);
  expect(preview.rules).toEqual(['thermostat']);
  expect(preview.twins[0]?.twinId).toBe('thermostat-101');
  expect(preview.twins[0]?.patch).toContainEqual({ op: 'add', path: '/temperature', value: 19.25 });
  expect(JSON.stringify([...store.twins.values()])).toBe(before);
});

it('refuses a message that is not an envelope, saying what is wrong', async () => {
  const { url } = await start();
  const notJson = await fetch(`${url}/preview`, { method: 'POST', headers: json, body: '{deviceId' });
  expect(notJson.status).toBe(400);
  expect(((await notJson.json()) as { error: string }).error).toMatch(/not JSON.*Paste one envelope/);
  const noDevice = await fetch(`${url}/preview`, { method: 'POST', headers: json, body: '{"body":{}}' });
  expect(((await noDevice.json()) as { error: string }).error).toContain('field "deviceId" must be a non-empty string');
});

it("sends an envelope to the loop's ingress as one ndjson line and answers with the ingress's reply", async () => {
  const ingress = await fakeIngress();
  try {
    const { url } = await start({ ingressUrl: ingress.url });
    const res = await fetch(`${url}/send`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ deviceId: 'thermostat-101', enqueuedTime: '2024-05-01T10:00:00.000Z', body: { temperature: 20 } }, null, 2),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    expect(ingress.bodies).toEqual([
      'POST /telemetry {"deviceId":"thermostat-101","enqueuedTime":"2024-05-01T10:00:00.000Z","body":{"temperature":20}}\n',
    ]);
  } finally {
    await new Promise((done) => ingress.server.close(done));
  }
});

it('without an ingress, send says how to get one', async () => {
  const { url } = await start();
  const res = await fetch(`${url}/send`, { method: 'POST', headers: json, body: JSON.stringify({ deviceId: 'thermostat-101', body: {} }) });
  expect(res.status).toBe(409);
  expect(((await res.json()) as { error: string }).error).toContain('--follow');
});

it('a port in use is an error that names --graph-port', async () => {
  const { url } = await start();
  const port = Number(new URL(url).port);
  await expect(
    startGraphServer({
      port,
      source: fakeStore().source,
      scenario,
      counters: () => ({}),
      deadLetters: () => Promise.resolve({ items: [] }),
    }),
  ).rejects.toThrow(`--graph-port ${port} is in use`);
});

it('takes messages as JSON only, so another site cannot post into the loop without a preflight', async () => {
  const { url } = await start();
  const res = await fetch(`${url}/send`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ deviceId: 'thermostat-101', body: {} }),
  });
  expect(res.status).toBe(415);
  expect(((await res.json()) as { error: string }).error).toContain('application/json');
});

it('without an explorer there is no /adt; the page carries no explorer', async () => {
  const { url } = await start();
  const res = await fetch(`${url}/adt/models`);
  expect(res.status).toBe(404);
  expect(await (await fetch(`${url}/`)).text()).not.toContain('"explorer"');
});

it('without a scenario (an instance explored as it is): nothing derived, no preview or send, the page says there is no loop', async () => {
  const store = fakeStore();
  server = await startGraphServer({
    port: 0,
    source: store.source,
    title: 'ADT explorer: x',
    counters: () => ({}),
    deadLetters: () => Promise.resolve({ items: [] }),
    pollMs: 60_000,
  });
  const state = (await (await fetch(`${server.url}/state`)).json()) as { twins: Array<{ properties: Array<{ derived?: unknown }> }> };
  expect(state.twins.length).toBe(scenario.graph.twins.length);
  expect(state.twins.flatMap((t) => t.properties).filter((p) => p.derived !== undefined)).toEqual([]);
  const preview = await fetch(`${server.url}/preview`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ deviceId: 'thermostat-101', body: {} }),
  });
  expect(preview.status).toBe(409);
  const page = await (await fetch(`${server.url}/`)).text();
  expect(page).toContain('<title>ADT explorer: x</title>');
  expect(page).toContain('"withoutLoop":true');
});
