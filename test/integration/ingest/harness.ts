// The ingest function end to end on one machine: the ADT emulator (through the real SDK), Azurite for
// dead letters, and the Functions library's own invocation pipeline (the fake host's ProgrammingModel
// turns host-shaped RPC requests into the handler's arguments and a real InvocationContext).
//
// Test files must mock the worker-provided core module before this harness loads the app:
//   jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { HttpOperationResponse, WebResourceLike } from '@azure/core-http';
import type { DigitalTwinsClient } from '@azure/digital-twins-core';
import { BlobServiceClient } from '@azure/storage-blob';

import { roomTwin, testModels } from '../../../bench/fixtures/testModels';
import { createIngestHandler } from '../../../functions/ingestTelemetry';
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createEmulatorClient, stubCredential, TrustingHttpClient } from '../../../local/emulator/trust';
import type { Notification } from '../../../local/emulator/types';
import type { TelemetryEnvelope } from '../../../local/runner/envelope';
import { type EnqueuedEvent, eventHubTriggerRequest } from '../../../local/runner/eventHubTriggerRequest';
import type { CapturedProgrammingModel } from '../../../local/runner/functionsHost';
import { invokeRegistration, triggerBindingOf } from '../../../local/runner/invoke';
import type { RegisteredBinding } from '../../../local/runner/rpcTypes';
import type { PipelineConfigFile } from '../../../shared/config/types';
import { BlobDeadLetterSink } from '../../../shared/deadLetter/blobSink';
import type { DeadLetterDocument } from '../../../shared/deadLetter/document';
import type { BatchSummary } from '../../../shared/ingest/batch/batchSummary';
import { settings } from '../../../shared/settings';
import { createWorker, type IngestRuntime } from '../../../shared/worker';
import { type AzuriteBlob, startAzuriteBlob } from '../../support/azurite';
import { capturedProgrammingModel, type CapturedRegistration, loadFunctionApp } from '../../support/functionsHost';

const root = join(__dirname, '..', '..', '..');

// The shared test models (one Room with a Sensor component).
export { roomModel, sensorModel } from '../../../bench/fixtures/testModels';

/** Records what the SDK puts on the wire (headers the emulator does not keep, e.g. Telemetry-Source-Time). */
export class RecordingHttpClient extends TrustingHttpClient {
  readonly sent: Array<{ method: string; path: string; headers: Record<string, string> }> = [];
  override sendRequest(request: WebResourceLike): Promise<HttpOperationResponse> {
    const headers = Object.fromEntries(request.headers.headersArray().map((h) => [h.name.toLowerCase(), h.value]));
    this.sent.push({ method: request.method, path: new URL(request.url).pathname, headers });
    return super.sendRequest(request);
  }
}

export interface IngestWorld {
  emulator: EmulatorHandle;
  azurite: AzuriteBlob;
  admin: DigitalTwinsClient;
  http: RecordingHttpClient;
  notifications: Notification[];
  registration: CapturedRegistration;
  programmingModel: CapturedProgrammingModel;
  directory: string;
  close(): Promise<void>;
}

export async function startWorld(): Promise<IngestWorld> {
  const registration = loadFunctionApp([join(root, 'functions', 'ingestTelemetry.ts')], { hook: false }).get('ingestTelemetry');
  const programmingModel = capturedProgrammingModel();
  if (!registration || !programmingModel)
    throw new Error('functions/ingestTelemetry.ts did not register with the fake host; mock @azure/functions-core first.');
  const [emulator, azurite, directory] = await Promise.all([startEmulator(), startAzuriteBlob(), mkdtemp(join(tmpdir(), 'ingest-it-'))]);
  const notifications: Notification[] = [];
  emulator.events.tap((n) => notifications.push(n));
  // The test's own client (seeding, reading twins back); its keep-alive sockets are closed in close().
  const { client: admin, httpClient: adminHttp } = createEmulatorClient(emulator, {
    retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
  await admin.createModels(testModels);
  const http = new RecordingHttpClient(emulator.ca);
  return {
    emulator,
    azurite,
    admin,
    http,
    notifications,
    registration,
    programmingModel,
    directory,
    close: async () => {
      http.destroy();
      adminHttp.destroy();
      await Promise.all([emulator.close(), azurite.stop(), rm(directory, { recursive: true, force: true })]);
    },
  };
}

export async function createRoom(world: IngestWorld, twinId: string, extra: Record<string, unknown> = {}): Promise<void> {
  await world.admin.upsertDigitalTwin(twinId, JSON.stringify(roomTwin(extra)));
}

export interface IngestApp {
  runtime: IngestRuntime;
  container: string;
  /** One invocation of the registered function for a batch on `partition`; resolves the batch summary it logged. */
  invoke(events: EnqueuedEvent[], options?: InvokeOptions): Promise<BatchSummary>;
  /** Same, through the exported `ingestTelemetry` itself (its runtime comes from process.env). */
  invokeRegistered(events: EnqueuedEvent[], options?: InvokeOptions): Promise<BatchSummary>;
  deadLetters(container?: string): Promise<Array<{ name: string; document: DeadLetterDocument }>>;
}

export interface InvokeOptions {
  partition?: string;
  dataType?: 'string' | 'binary';
}

let containers = 0;

/**
 * The function's runtime built exactly as in Azure (app settings + PIPELINE_CONFIG_PATH file), except
 * that the ADT client trusts the emulator and retries are scaled down so failing tests end quickly.
 */
export async function ingestApp(
  world: IngestWorld,
  config: PipelineConfigFile,
  options: { deadlineSeconds?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<IngestApp> {
  containers += 1;
  const container = `dead-letters-${containers}`;
  const configPath = join(world.directory, `pipeline-${containers}.json`);
  await writeFile(configPath, JSON.stringify(config), 'utf8');
  const env: NodeJS.ProcessEnv = {
    [settings.adtUrl.name]: world.emulator.url,
    [settings.pipelineConfigPath.name]: configPath,
    [settings.deadLetterStorage.name]: world.azurite.connectionString,
    [settings.deadLetterContainer.name]: container,
    [settings.ingestDeadlineSeconds.name]: String(options.deadlineSeconds ?? 30),
    ...options.env,
  };
  const runtime = createWorker({
    env,
    client: { credential: stubCredential, httpClient: world.http },
    // Two tries, so a test that stops Azurite fails fast instead of after the SDK's ~30 s of retries.
    deadLetters: new BlobDeadLetterSink({ connectionString: world.azurite.connectionString }, container, {
      retryOptions: { maxTries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
    }),
    retryPolicy: { baseDelayMs: 5, maxDelayMs: 50 },
  }).ingest;
  // The handler the function registers, over this runtime instead of the process-wide one.
  const handler = createIngestHandler(() => runtime);
  const { name: triggerName, binding } = triggerBindingOf(world.registration);

  const invoke = async (callback: unknown, events: EnqueuedEvent[], invokeOptions: InvokeOptions): Promise<BatchSummary> => {
    const partitionId = invokeOptions.partition ?? '0';
    const request = eventHubTriggerRequest(
      triggerName,
      { ...(binding as RegisteredBinding), ...(invokeOptions.dataType && { dataType: invokeOptions.dataType }) },
      { fullyQualifiedNamespace: 'local.servicebus.windows.net', eventHubName: 'telemetry', consumerGroup: 'functions', partitionId },
      events,
    );
    const logs: string[] = [];
    await invokeRegistration(world.programmingModel, { metadata: world.registration.metadata, callback }, request, (line) =>
      logs.push(line.message),
    );
    const summaries = logs.flatMap((line) => (line.includes('"ingest.batch"') ? [JSON.parse(line) as BatchSummary] : []));
    if (summaries.length !== 1)
      throw new Error(`expected one batch summary in the function log, got ${summaries.length}:\n${logs.join('\n')}`);
    return summaries[0] as BatchSummary;
  };

  return {
    runtime,
    container,
    invoke: (events, invokeOptions = {}) => invoke(handler, events, invokeOptions),
    invokeRegistered: (events, invokeOptions = {}) => invoke(world.registration.callback, events, invokeOptions),
    async deadLetters(name = container) {
      const client = BlobServiceClient.fromConnectionString(world.azurite.connectionString).getContainerClient(name);
      if (!(await client.exists())) return [];
      const documents: Array<{ name: string; document: DeadLetterDocument }> = [];
      for await (const blob of client.listBlobsFlat()) {
        const buffer = await client.getBlobClient(blob.name).downloadToBuffer();
        documents.push({ name: blob.name, document: JSON.parse(buffer.toString('utf8')) as DeadLetterDocument });
      }
      return documents.sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}

/** Builds enqueued events with consecutive sequence numbers from `firstSequence`. */
export function events(firstSequence: number, envelopes: TelemetryEnvelope[]): EnqueuedEvent[] {
  return envelopes.map((envelope, i) => ({ envelope, sequenceNumber: firstSequence + i, offset: (firstSequence + i) * 100 }));
}

/** A device message as IoT Hub would enqueue it; `ts` in the body is the device's observation time. */
export function message(deviceId: string, body: unknown, extra: Partial<TelemetryEnvelope> = {}): TelemetryEnvelope {
  return { deviceId, enqueuedTime: '2024-06-01T12:00:00.000Z', body, ...extra };
}

/** Plain JSON of a twin as the emulator stores it. */
export async function twin(world: IngestWorld, twinId: string): Promise<TwinJson> {
  return (await world.admin.getDigitalTwin(twinId)).body as TwinJson;
}

export interface TwinJson {
  $metadata: Record<string, { sourceTime?: string } | string | undefined>;
  [property: string]: unknown;
}

export function sourceTime(document: { $metadata?: unknown }, property: string): string | undefined {
  const entry = (document.$metadata as Record<string, { sourceTime?: string } | undefined> | undefined)?.[property];
  return entry?.sourceTime;
}
