// The explorer's proxy to ADT, against an emulator started here and reached as `npm run explore --
// --adt-url <emulator> --ca <cert.pem>` reaches it: queries and models pass through; a read-only
// explorer refuses every write with 403 before anything reaches ADT; ADT's errors come back as ADT
// sent them; a write made through it is a data-plane write whose change notification follows.
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

import type { CloudEvent } from '@azure/eventgrid';

import { createEmulatorClient, startEmulator } from '../../../local/emulator';
import type { EmulatorHandle } from '../../../local/emulator/server';
import { generateIdentity } from '../../../local/emulator/tls';
import { exploreInstance, type InstanceExplorer } from '../../../local/explore/explore';
import { type ExplorerClient, handleAdtRequest, passThrough, readOnlyMessage } from '../../../local/graph';
import { loadScenario } from '../../../local/scenario';
import { buildingScenario, tempDir } from '../../e2e/support/runLocal';
import { rawRequest } from '../../support/emulatorClient';

const scenario = loadScenario(buildingScenario);
const room = 'dtmi:example:building:Room;1';

let emulator: EmulatorHandle;
let certFile: string;
let readOnly: InstanceExplorer;
let writable: InstanceExplorer;
const notifications: CloudEvent<Record<string, unknown>>[] = [];

beforeAll(async () => {
  const certDir = tempDir('explorer-cert');
  certFile = join(certDir, 'cert.pem');
  emulator = await startEmulator({
    scenarioDir: buildingScenario,
    certDir,
    endpoints: [
      { name: 'seen', kind: 'subscriber', schema: 'CloudEvents', delivery: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } },
    ],
  });
  emulator.events.subscribe('seen', (event) => {
    notifications.push(event as unknown as CloudEvent<Record<string, unknown>>);
  });
  const routes = createEmulatorClient(emulator);
  await routes.client.upsertEventRoute('all', 'seen', 'true');
  routes.httpClient.destroy();
  readOnly = await exploreInstance({ adtUrl: emulator.url, ca: certFile, allowWrites: false, port: 0, pollMs: 60_000 });
  writable = await exploreInstance({ adtUrl: emulator.url, ca: certFile, allowWrites: true, port: 0, pollMs: 60_000 });
}, 60_000);

afterAll(async () => {
  await readOnly?.close();
  await writable?.close();
  await emulator?.close();
});

async function call(server: { url: string }, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}/adt${path}`, {
    method,
    ...(body !== undefined && {
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

const twin = (id: string) => emulator.store.twins.get(id) as Record<string, unknown> | undefined;

it('runs a query and returns its rows and charge as ADT answered them', async () => {
  const answer = await call(readOnly, 'POST', '/query', { query: `SELECT * FROM digitaltwins WHERE IS_OF_MODEL('${room}')` });
  expect(answer.status).toBe(200);
  const body = answer.body as { rows: Array<{ $dtId: string }>; queryCharge: number; truncated: boolean };
  const rooms = scenario.graph.twins
    .filter((t) => t.$metadata.$model === room)
    .map((t) => t.$dtId)
    .sort();
  expect(body.rows.map((r) => r.$dtId).sort()).toEqual(rooms);
  expect(body.queryCharge).toBeGreaterThan(0);
  expect(body.truncated).toBe(false);
  // A projection with a JOIN comes back row by row, as ADT shapes it.
  const joined = await call(readOnly, 'POST', '/query', {
    query: "SELECT R, D FROM digitaltwins R JOIN D RELATED R.hasDevice WHERE R.$dtId = 'room-101'",
  });
  expect(joined.status).toBe(200);
  expect((joined.body as { rows: Array<{ D: { $dtId: string } }> }).rows.map((r) => r.D.$dtId).sort()).toEqual([
    'airquality-101',
    'occupancy-101',
    'thermostat-101',
  ]);
});

it('passes a query error through exactly as ADT sent it', async () => {
  const bad = 'SELECT FROM WHERE';
  const direct = await rawRequest(emulator, 'POST', '/query?api-version=2022-05-31', { body: { query: bad } });
  const answer = await call(readOnly, 'POST', '/query', { query: bad });
  expect(direct.status).toBe(400);
  expect(answer).toEqual({ status: direct.status, body: direct.json });
  expect((answer.body as { error: { code: string } }).error.code).toBe('SqlQueryError');
});

it('lists the models with their definitions', async () => {
  const answer = await call(readOnly, 'GET', '/models');
  expect(answer.status).toBe(200);
  const models = (answer.body as { models: Array<{ id: string; model: { contents: Array<{ name: string }> } }> }).models;
  expect(models.map((m) => m.id).sort()).toEqual(scenario.models.map((m) => String(m['@id'])).sort());
  expect(models.find((m) => m.id === room)?.model.contents.map((c) => c.name)).toEqual(
    expect.arrayContaining(['temperature', 'hasDevice']),
  );
});

it('read-only: refuses every write with 403 and a clear message, and nothing reaches ADT', async () => {
  const before = JSON.stringify(twin('room-101'));
  const relationships = emulator.store.relationships.size;
  const writesBefore = JSON.stringify(emulator.counters().operations);
  const attempts = [
    call(readOnly, 'PATCH', '/digitaltwins/room-101', [{ op: 'add', path: '/name', value: 'changed' }]),
    call(readOnly, 'PUT', '/digitaltwins/room-101/relationships/extra', { $targetId: 'thermostat-102', $relationshipName: 'hasDevice' }),
    call(readOnly, 'DELETE', '/digitaltwins/room-101/relationships/hasDevice-thermostat-101'),
  ];
  for (const answer of await Promise.all(attempts))
    expect(answer).toEqual({ status: 403, body: { error: { code: 'WritesNotAllowed', message: readOnlyMessage } } });
  expect(readOnlyMessage).toContain('--allow-writes');
  expect(JSON.stringify(twin('room-101'))).toBe(before);
  expect(emulator.store.relationships.size).toBe(relationships);
  expect(JSON.stringify(emulator.counters().operations)).toBe(writesBefore);
});

it('read-only is decided before the client is touched', async () => {
  const untouchable = new Proxy(
    {},
    {
      get: () => {
        throw new Error('the client was called');
      },
    },
  ) as ExplorerClient;
  const answer = await handleAdtRequest(
    { client: untouchable, allowWrites: false, target: 'x' },
    { method: 'PATCH', path: '/digitaltwins/a', body: '[]' },
  );
  expect(answer.status).toBe(403);
});

it('with writes allowed: a patch, a new relationship and its deletion reach ADT, and their notifications follow', async () => {
  notifications.length = 0;
  const patched = await call(writable, 'PATCH', '/digitaltwins/thermostat-101', [{ op: 'add', path: '/temperature', value: 26.5 }]);
  expect(patched.status).toBe(200);
  expect(twin('thermostat-101')?.temperature).toBe(26.5);
  const added = await call(writable, 'PUT', '/digitaltwins/room-101/relationships/hasDevice-thermostat-102', {
    $targetId: 'thermostat-102',
    $relationshipName: 'hasDevice',
  });
  expect(added.status).toBe(200);
  expect(added.body).toMatchObject({ $relationshipId: 'hasDevice-thermostat-102', $sourceId: 'room-101', $targetId: 'thermostat-102' });
  const deleted = await call(writable, 'DELETE', '/digitaltwins/room-101/relationships/hasDevice-thermostat-102');
  expect(deleted).toEqual({ status: 204, body: undefined });
  expect(emulator.store.relationships.get('room-101', 'hasDevice-thermostat-102')).toBeUndefined();
  for (let i = 0; i < 100 && notifications.length < 3; i++) await new Promise((done) => setTimeout(done, 20));
  expect(notifications.map((n) => [n.type, n.subject])).toEqual([
    ['Microsoft.DigitalTwins.Twin.Update', 'thermostat-101'],
    ['Microsoft.DigitalTwins.Relationship.Create', 'room-101/relationships/hasDevice-thermostat-102'],
    ['Microsoft.DigitalTwins.Relationship.Delete', 'room-101/relationships/hasDevice-thermostat-102'],
  ]);
  expect(notifications[0]?.data).toMatchObject({ patch: [{ op: 'add', path: '/temperature', value: 26.5 }] });
});

it("with writes allowed: ADT's refusals pass through as ADT sent them", async () => {
  const missing = await call(writable, 'PATCH', '/digitaltwins/no-such-twin', [{ op: 'add', path: '/name', value: 'x' }]);
  const direct = await rawRequest(emulator, 'PATCH', '/digitaltwins/no-such-twin?api-version=2022-05-31', {
    body: [{ op: 'add', path: '/name', value: 'x' }],
    headers: { 'content-type': 'application/json-patch+json' },
  });
  expect(missing).toEqual({ status: 404, body: direct.json });
  const move = await call(writable, 'PATCH', '/digitaltwins/room-101', [{ op: 'move', from: '/name', path: '/x' }]);
  expect(move.status).toBe(400);
  expect((move.body as { error: { code: string; message: string } }).error).toMatchObject({
    code: 'JsonPatchInvalid',
    message: expect.stringContaining('Unsupported operation type move'),
  });
  const noTarget = await call(writable, 'PUT', '/digitaltwins/room-101/relationships/r1', {
    $targetId: 'no-such-twin',
    $relationshipName: 'hasDevice',
  });
  expect(noTarget.status).toBe(404);
  expect((noTarget.body as { error: { code: string } }).error.code).toBe('TargetDigitalTwinNotFound');
  // An id holding '/' and a space reaches ADT as one path segment.
  const odd = await call(writable, 'DELETE', `/digitaltwins/${encodeURIComponent('a/b c')}/relationships/r`);
  expect(odd.status).toBe(404);
  expect(JSON.stringify(odd.body)).toContain('a/b c');
});

it("refuses what is not JSON, or not a patch, in ADT's error shape, and keeps input keys as data", async () => {
  const notJson = await fetch(`${writable.url}/adt/query`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: '{"query":"SELECT * FROM digitaltwins"}',
  });
  expect(notJson.status).toBe(415);
  const notPatch = await call(writable, 'PATCH', '/digitaltwins/room-101', { op: 'add' });
  expect(notPatch.status).toBe(400);
  expect((notPatch.body as { error: { message: string } }).error.message).toContain('JSON Patch');
  const broken = await call(writable, 'POST', '/query', '{"query": ');
  expect(broken.status).toBe(400);
  const hostile = await call(
    writable,
    'PUT',
    '/digitaltwins/room-101/relationships/evil',
    '{"$targetId":"thermostat-102","$relationshipName":"hasDevice","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
  );
  expect(hostile.status).toBe(400);
  expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

it('answers /adt only when asked by a loopback name (no DNS rebinding)', async () => {
  const port = new URL(writable.url).port;
  const status = (host: string) =>
    new Promise<number>((done, fail) => {
      const req = request({ host: '127.0.0.1', port, path: '/adt/models', headers: { host } }, (res) => {
        res.resume();
        done(res.statusCode ?? 0);
      });
      req.on('error', fail);
      req.end();
    });
  expect(await status(`attacker.example:${port}`)).toBe(403);
  expect(await status(`localhost:${port}`)).toBe(200);
  expect(await status(`127.0.0.1:${port}`)).toBe(200);
});

it("says what failed when ADT cannot be reached, or its certificate is not the emulator's", async () => {
  expect(passThrough(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toEqual({
    status: 502,
    body: { error: { code: 'AdtUnreachable', message: 'ADT could not be reached: connect ECONNREFUSED 127.0.0.1:1' } },
  });
  expect(passThrough(Object.assign(new Error('Too many'), { statusCode: 429, code: 'TooManyRequests' }))).toEqual({
    status: 429,
    body: { error: { code: 'TooManyRequests', message: 'Too many' } },
  });
  await expect(
    exploreInstance({ adtUrl: emulator.url, ca: join(tempDir('explorer-none'), 'cert.pem'), allowWrites: false, port: 0 }),
  ).rejects.toThrow('no such file');
  const otherCert = join(tempDir('explorer-other'), 'cert.pem');
  writeFileSync(otherCert, (await generateIdentity()).cert);
  await expect(exploreInstance({ adtUrl: emulator.url, ca: otherCert, allowWrites: false, port: 0 })).rejects.toThrow(
    `Could not read ${emulator.url} (emulator)`,
  );
}, 30_000);

it('without --ca it trusts the certificate where npm run emulator keeps it (.local/emulator-cert under the working directory)', async () => {
  const home = tempDir('explorer-home');
  const certDir = join(home, '.local', 'emulator-cert');
  const other = await startEmulator({ certDir });
  const cwd = process.cwd();
  process.chdir(home);
  try {
    const explorer = await exploreInstance({ adtUrl: other.url, allowWrites: false, port: 0, pollMs: 60_000 });
    await explorer.close();
    process.chdir(tempDir('explorer-elsewhere'));
    await expect(exploreInstance({ adtUrl: other.url, allowWrites: false, port: 0 })).rejects.toThrow(
      '(where npm run emulator keeps it). Pass --ca <file.pem>',
    );
  } finally {
    process.chdir(cwd);
    await other.close();
  }
});
