// POST /api/telemetry through the library's own invocation model: mixed good and bad envelopes get
// one outcome each, size limits answer 413/400, and the twins end as the Event Hub path leaves them.
import { join } from 'node:path';

import { createHttpIngestHandler } from '../../../functions/ingestHttp';
import { invokeRegistration, triggerBindingOf } from '../../../local/runner/invoke';
import type { RpcInvocationRequest } from '../../../local/runner/rpcTypes';
import { httpIngestLimits } from '../../../shared/ingest';
import { capturedProgrammingModel, loadFunctionApp } from '../../support/functionsHost';
import { createRoom, events, type IngestApp, ingestApp, type IngestWorld, message, startWorld, twin } from './harness';

jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

const root = join(__dirname, '..', '..', '..');
let world: IngestWorld;
let app: IngestApp;
const registration = () => {
  const found = loadFunctionApp([join(root, 'functions', 'ingestHttp.ts')], { hook: false }).get('ingestHttp');
  if (!found) throw new Error('functions/ingestHttp.ts did not register');
  return found;
};

async function post(
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  auth: 'functionKey' | 'entraId' = 'functionKey',
): Promise<{ status: number; jsonBody: Record<string, unknown> }> {
  const registered = registration();
  const { name } = triggerBindingOf(registered);
  const request: RpcInvocationRequest = {
    inputData: [
      {
        name,
        data: {
          http: {
            method: 'POST',
            url: 'http://127.0.0.1:7071/api/telemetry',
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
            body: { bytes: Buffer.from(body) },
          },
        },
      },
    ],
    triggerMetadata: {},
  } as unknown as RpcInvocationRequest;
  const handler = createHttpIngestHandler(() => app.runtime, auth);
  return (await invokeRegistration(capturedProgrammingModel() as never, { metadata: registered.metadata, callback: handler }, request)) as {
    status: number;
    jsonBody: Record<string, unknown>;
  };
}

beforeAll(async () => {
  world = await startWorld();
  for (const id of ['http-1', 'http-2', 'hub-1', 'hub-2']) await createRoom(world, id);
  app = await ingestApp(world, { ingest: { options: { sourceTime: 'ts' } } });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

it('registers POST /api/telemetry with a function key', () => {
  const { binding } = triggerBindingOf(registration());
  expect(binding).toMatchObject({ type: 'httpTrigger', methods: ['POST'], route: 'telemetry', authLevel: 'function' });
});

it('with HTTP_INGEST_AUTH=entraId registers without a key and answers 401 to a caller App Service authentication did not validate', async () => {
  const before = process.env.HTTP_INGEST_AUTH;
  process.env.HTTP_INGEST_AUTH = 'entraId';
  try {
    // A fresh module registry: the function file reads the setting when the host loads it.
    jest.isolateModules(() => {
      const { app: functionsApp } = jest.requireActual<typeof import('@azure/functions')>('@azure/functions');
      const http = jest.spyOn(functionsApp, 'http');
      jest.requireActual('../../../functions/ingestHttp');
      expect(http).toHaveBeenCalledWith('ingestHttp', expect.objectContaining({ route: 'telemetry', authLevel: 'anonymous' }));
    });
  } finally {
    if (before === undefined) delete process.env.HTTP_INGEST_AUTH;
    else process.env.HTTP_INGEST_AUTH = before;
  }
  const body = JSON.stringify(message('http-2', { temperature: 19, ts: '2024-06-01T11:00:00Z' }, { messageId: 'entra-1' }));
  const refused = await post(body, { 'content-type': 'application/json', authorization: 'Bearer not-validated' }, 'entraId');
  expect(refused.status).toBe(401);
  expect(String(refused.jsonBody.error)).toMatch(/^No validated Entra ID caller/);
  const accepted = await post(body, { 'content-type': 'application/json', 'x-ms-client-principal-id': 'caller-oid' }, 'entraId');
  expect(accepted.status).toBe(200);
});

it('answers every envelope of a mixed request with its outcome, and applies the good ones', async () => {
  const envelopes = [
    message('http-1', { temperature: 21.5, ts: '2024-06-01T11:59:00Z' }, { messageId: 'a' }),
    message('http-1', { temperature: 'hot', ts: '2024-06-01T11:59:01Z' }, { messageId: 'b' }),
    message('no-such-twin', { temperature: 1 }, { messageId: 'c' }),
    { enqueuedTime: '2024-06-01T12:00:00Z', body: { temperature: 3 } },
    message('http-2', { nothing: 1 }, { messageId: 'e' }),
  ];
  const response = await post(JSON.stringify(envelopes));
  expect(response.status).toBe(200);
  const outcomes = (response.jsonBody.messages as Array<{ index: number; outcome: string; reasons: string[] }>).map((m) => [
    m.index,
    m.outcome,
    m.reasons[0],
  ]);
  expect(outcomes).toEqual([
    [0, 'applied', undefined],
    [1, 'dead-lettered', 'schema-mismatch'],
    [2, 'dead-lettered', 'unknown-twin'],
    [3, 'dead-lettered', 'missing-device-id'],
    [4, 'filtered', 'unmodeled-field'],
  ]);
  expect((await twin(world, 'http-1')).temperature).toBe(21.5);
  expect((await app.deadLetters()).filter((d) => d.name.startsWith('http/'))).toHaveLength(3);
});

it('takes ndjson and a single envelope too', async () => {
  const ndjson = [
    message('http-2', { temperature: 18, ts: '2024-06-01T11:59:02Z' }),
    message('http-2', { humidity: 40, ts: '2024-06-01T11:59:03Z' }),
  ]
    .map((e) => JSON.stringify(e))
    .join('\n');
  expect((await post(ndjson, { 'content-type': 'application/x-ndjson' })).status).toBe(200);
  expect((await post(JSON.stringify(message('http-2', { occupied: true, ts: '2024-06-01T11:59:04Z' })))).status).toBe(200);
  expect(await twin(world, 'http-2')).toMatchObject({ temperature: 18, humidity: 40, occupied: true });
});

it('answers 400 for a body that is neither JSON nor ndjson, and 413 past the limits', async () => {
  expect(await post('temperature=21')).toMatchObject({
    status: 400,
    jsonBody: { error: expect.stringContaining('neither JSON nor ndjson') },
  });
  expect(await post('')).toMatchObject({ status: 400 });
  const many = JSON.stringify(Array.from({ length: httpIngestLimits.maxMessages + 1 }, () => message('http-1', { temperature: 1 })));
  expect(await post(many)).toMatchObject({ status: 413, jsonBody: { error: expect.stringContaining('split it') } });
  const huge = JSON.stringify([message('http-1', { label: 'x'.repeat(httpIngestLimits.maxBodyBytes) })]);
  expect(await post(huge)).toMatchObject({ status: 413 });
});

it('leaves the same twins as the Event Hub path for the same messages', async () => {
  const input = [
    message('hub-1', { temperature: 20, ts: '2024-06-01T11:59:10Z' }, { messageId: 'h1' }),
    message('hub-1', { temperature: 19, ts: '2024-06-01T11:59:05Z' }, { messageId: 'h2' }),
    message('hub-1', { humidity: 55, ts: '2024-06-01T11:59:07Z' }, { messageId: 'h3' }),
  ];
  await app.invoke(events(9000, input));
  await post(JSON.stringify(input.map((e) => ({ ...e, deviceId: 'hub-2' }))));
  const viaHub = await twin(world, 'hub-1');
  const viaHttp = await twin(world, 'hub-2');
  expect({ t: viaHttp.temperature, h: viaHttp.humidity }).toEqual({ t: viaHub.temperature, h: viaHub.humidity });
  expect(viaHttp.temperature).toBe(20);
});

it('gives an envelope without messageId the same digest id on every retry, so ADT de-duplicates it', async () => {
  const body = JSON.stringify([{ deviceId: 'http-1', enqueuedTime: '2024-06-01T11:59:30Z', body: { co2: 500 } }]);
  const first = (await post(body)).jsonBody.messages as Array<{ messageId: string }>;
  const again = (await post(body)).jsonBody.messages as Array<{ messageId: string }>;
  expect(first[0]?.messageId).toMatch(/^http-[0-9a-f]{32}$/);
  expect(again[0]?.messageId).toBe(first[0]?.messageId);
});
