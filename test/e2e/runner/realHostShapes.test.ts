// The registered functions fed trigger data recorded in the real Functions host's shapes
// (test/fixtures/real-host-invocations.json, issue 24.4): Long sequence numbers, offsets -1 beside
// their strings (geo-replicated namespace), "+00:00" enqueued times, a partition-key array without
// its empty entries, TriggerPartitionContext, no retry context, Event Grid dates re-serialised by
// the host, a chunked HTTP request without its body. Twins get the right values, the dead letter
// records where the event is (the offset string, not -1), and the HTTP caller is told why it failed.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { emulatorAccess, runnerClient } from '../../../local/runner/adtAccess';
import { type FunctionApp, loadLocalFunctionApp } from '../../../local/runner/functionApp';
import type { CapturedRegistration } from '../../../local/runner/functionsHost';
import { invokeRegistration, triggerBindingOf } from '../../../local/runner/invoke';
import type { RpcInvocationRequest } from '../../../local/runner/rpcTypes';
import { seedScenario } from '../../../local/runner/seed';
import { loadScenario } from '../../../local/scenario';
import type { DeadLetterDocument } from '../../../shared/deadLetter/document';
import { settings } from '../../../shared/settings';
import { buildingScenario } from '../support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

interface Recorded {
  eventHub: RpcInvocationRequest;
  eventGrid: RpcInvocationRequest;
  http: RpcInvocationRequest;
}

const recorded = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'real-host-invocations.json'), 'utf8')) as Recorded;

/** The recorded request for this registration: its trigger's generated name, bytes from base64. */
function requestFor(registration: CapturedRegistration, request: RpcInvocationRequest): RpcInvocationRequest {
  const bytes = (base64: string): Uint8Array => new Uint8Array(Buffer.from(base64, 'base64'));
  const name = triggerBindingOf(registration).name;
  return {
    ...request,
    inputData: request.inputData.map(({ data }) => {
      if ('collectionBytes' in data)
        return { name, data: { collectionBytes: { bytes: (data.collectionBytes.bytes as unknown as string[]).map(bytes) } } };
      if ('http' in data)
        return { name, data: { http: { ...data.http, body: { bytes: bytes(data.http.body.bytes as unknown as string) } } } };
      return { name, data };
    }),
  };
}

let emulator: EmulatorHandle;
let client: DigitalTwinsClient;
let closeClient: () => void;
let app: FunctionApp;
let deadLetterDirectory: string;

beforeAll(async () => {
  emulator = await startEmulator();
  const access = emulatorAccess(emulator);
  ({ client, close: closeClient } = runnerClient(access, emulator));
  const scenario = loadScenario(buildingScenario);
  await seedScenario(client, scenario);
  deadLetterDirectory = await mkdtemp(join(tmpdir(), 'real-host-'));
  app = loadLocalFunctionApp({
    appSettings: {
      [settings.adtUrl.name]: emulator.url,
      [settings.pipelineConfigPath.name]: scenario.pipelineConfigPath,
      [settings.eventHubName.name]: 'iothub-geo',
      [settings.eventHubConsumerGroup.name]: 'functions',
      [settings.deadLetterDirectory.name]: deadLetterDirectory,
    },
    adt: access,
    hook: false,
  });
}, 60_000);

afterAll(async () => {
  app?.unload();
  closeClient?.();
  await emulator?.close();
  await rm(deadLetterDirectory, { recursive: true, force: true });
});

const twin = async (id: string): Promise<Record<string, unknown>> => (await client.getDigitalTwin(id)).body as Record<string, unknown>;

it('ingest: applies each event with its own values and dead-letters the bad one with its offset string', async () => {
  const logs: string[] = [];
  await invokeRegistration(app.programmingModel, app.ingest, requestFor(app.ingest, recorded.eventHub), (line) => logs.push(line.message));

  const summary = logs.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.event === 'ingest.batch');
  expect(summary).toMatchObject({ received: 3, applied: 2, filtered: 0, deadLettered: 1 });
  expect(await twin('thermostat-101')).toMatchObject({ temperature: 23.5, humidity: 41, targetTemperature: 21 });
  // The custom producer's event: device id from its application property, its own partition key.
  expect(await twin('thermostat-102')).toMatchObject({ temperature: 19.25, humidity: 50, targetTemperature: 20 });

  // Partition 1 from the partition context, sequence number 2^32 + 7 from its Long.
  const letter = JSON.parse(await readFile(join(deadLetterDirectory, '1', '4294967303.json'), 'utf8')) as DeadLetterDocument;
  expect(letter).toMatchObject({
    reason: 'invalid-json',
    partitionId: '1',
    sequenceNumber: 4294967303,
    offset: '2:4730:1',
    deviceId: 'thermostat-103',
    enqueuedTime: '2024-05-01T08:00:06.000Z',
  });
  expect(letter.body).toEqual({ encoding: 'utf8', value: 'temperature=22' });
});

it('propagate: a notification whose dates the host re-serialised updates the parent', async () => {
  await invokeRegistration(app.programmingModel, app.propagate, requestFor(app.propagate, recorded.eventGrid));
  expect(await twin('room-101')).toMatchObject({ temperature: 23.5, humidity: 41 });
});

it('HTTP ingest: a chunked request that arrives without its body gets a 400 saying why', async () => {
  const answer = (await invokeRegistration(app.programmingModel, app.http, requestFor(app.http, recorded.http))) as {
    status: number;
    jsonBody: { error: string };
  };
  expect(answer.status).toBe(400);
  expect(answer.jsonBody.error).toContain(
    'request body is empty — send Content-Length; chunked transfer encoding is not passed to the function by the Functions host',
  );
});
