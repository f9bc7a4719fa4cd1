// What the replay tests share: an in-process ADT emulator, its certificate in a file (as
// `npm run emulator -- --ca-out` writes it), the compiled-from-source ingest function invoked the way
// the Functions host invokes it (so first-attempt dead letters are the real thing), and the replay
// command run in-process with its output captured.
//
// Test files must mock the worker-provided core module before loading this file:
//   jest.mock('@azure/functions-core', () => jest.requireActual('../../support/functionsHost').fakeFunctionsCore, { virtual: true });

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { roomTwin, testModels } from '../../../bench/fixtures/testModels';
import { createIngestHandler } from '../../../functions/ingestTelemetry';
import { type EmulatorHandle, startEmulator } from '../../../local/emulator/server';
import { createEmulatorClient, stubCredential, TrustingHttpClient } from '../../../local/emulator/trust';
import { runReplayCli } from '../../../local/replay/runReplay';
import type { TelemetryEnvelope } from '../../../local/runner/envelope';
import { type EnqueuedEvent, eventHubTriggerRequest } from '../../../local/runner/eventHubTriggerRequest';
import type { CapturedProgrammingModel } from '../../../local/runner/functionsHost';
import { invokeRegistration, triggerBindingOf } from '../../../local/runner/invoke';
import type { RegisteredBinding } from '../../../local/runner/rpcTypes';
import type { PipelineConfigFile } from '../../../shared/config/types';
import type { DeadLetterSink } from '../../../shared/deadLetter';
import { settings } from '../../../shared/settings';
import { createWorker } from '../../../shared/worker';
import { capturedProgrammingModel, type CapturedRegistration, loadFunctionApp } from '../../support/functionsHost';

const root = join(__dirname, '..', '..', '..');

// The shared test models (one Room with a Sensor component).
export { roomModel } from '../../../bench/fixtures/testModels';

export interface ReplayWorld {
  emulator: EmulatorHandle;
  admin: DigitalTwinsClient;
  /** The emulator's certificate, in a file. */
  caPath: string;
  directory: string;
  writeConfig(name: string, config: PipelineConfigFile): Promise<string>;
  /** One invocation of the ingest function (first attempt) with `configPath`, dead letters to `sink`. */
  ingest(configPath: string, sink: DeadLetterSink, events: EnqueuedEvent[], partition?: string): Promise<void>;
  /** `npm run replay-dead-letters -- <args>` in-process, against the emulator; env adds to an empty environment. */
  replay(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }>;
  temperature(twinId: string): Promise<unknown>;
  close(): Promise<void>;
}

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

export async function startReplayWorld(twinIds: readonly string[]): Promise<ReplayWorld> {
  const registration: CapturedRegistration | undefined = loadFunctionApp([join(root, 'functions', 'ingestTelemetry.ts')], {
    hook: false,
  }).get('ingestTelemetry');
  const programmingModel: CapturedProgrammingModel | undefined = capturedProgrammingModel();
  if (!registration || !programmingModel)
    throw new Error('functions/ingestTelemetry.ts did not register with the fake host; mock @azure/functions-core first.');
  const [emulator, directory] = await Promise.all([startEmulator(), mkdtemp(join(tmpdir(), 'replay-e2e-'))]);
  const caPath = join(directory, 'emulator-ca.pem');
  await writeFile(caPath, emulator.ca, 'utf8');
  const { client: admin, httpClient: adminHttp } = createEmulatorClient(emulator, {
    retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
  await admin.createModels(testModels);
  for (const id of twinIds) await admin.upsertDigitalTwin(id, JSON.stringify(roomTwin()));
  const ingestHttp = new TrustingHttpClient(emulator.ca);
  const { name: triggerName, binding } = triggerBindingOf(registration);

  return {
    emulator,
    admin,
    caPath,
    directory,
    async writeConfig(name, config) {
      const path = join(directory, `${name}.json`);
      await writeFile(path, JSON.stringify(config), 'utf8');
      return path;
    },
    async ingest(configPath, sink, events, partition = '1') {
      const env = { [settings.adtUrl.name]: emulator.url, [settings.pipelineConfigPath.name]: configPath };
      const runtime = createWorker({
        env,
        client: { credential: stubCredential, httpClient: ingestHttp },
        deadLetters: sink,
        retryPolicy: { baseDelayMs: 5, maxDelayMs: 50 },
      }).ingest;
      const request = eventHubTriggerRequest(
        triggerName,
        binding as RegisteredBinding,
        {
          fullyQualifiedNamespace: 'local.servicebus.windows.net',
          eventHubName: 'telemetry',
          consumerGroup: 'functions',
          partitionId: partition,
        },
        events,
      );
      await invokeRegistration(
        programmingModel,
        { metadata: registration.metadata, callback: createIngestHandler(() => runtime) },
        request,
        () => undefined,
      );
    },
    async replay(args, env = {}) {
      const stdout = collector();
      const stderr = collector();
      const code = await runReplayCli(['--adt-url', emulator.url, '--emulator-ca', caPath, '--quiet', ...args], {
        env,
        cwd: directory,
        stdout: stdout.stream,
        stderr: stderr.stream,
      });
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    },
    async temperature(twinId) {
      return ((await admin.getDigitalTwin(twinId)).body as Record<string, unknown>).temperature;
    },
    close: async () => {
      ingestHttp.destroy();
      adminHttp.destroy();
      await Promise.all([emulator.close(), rm(directory, { recursive: true, force: true })]);
    },
  };
}

/** Enqueued events with consecutive sequence numbers from `firstSequence`. */
export function enqueued(firstSequence: number, envelopes: TelemetryEnvelope[]): EnqueuedEvent[] {
  return envelopes.map((envelope, i) => ({ envelope, sequenceNumber: firstSequence + i, offset: (firstSequence + i) * 100 }));
}

export const at = (second: number): string => `2024-07-01T08:00:${String(second).padStart(2, '0')}.000Z`;

/** A device message as IoT Hub enqueues it; `ts` in the body is the observation time. */
export function reading(deviceId: string, body: unknown, extra: Partial<TelemetryEnvelope> = {}): TelemetryEnvelope {
  return { deviceId, enqueuedTime: '2024-07-01T08:05:00.000Z', body, ...extra };
}

/** The configuration whose range check is the "mistake" the tests fix: temperature above `max` is refused. */
export function rangeConfig(max: number, action: 'dead-letter' | 'drop' = 'dead-letter'): PipelineConfigFile {
  return {
    ingest: {
      options: { sourceTime: 'ts' },
      rules: [
        {
          name: 'room',
          match: { deviceId: 'room-*' },
          properties: [{ target: 'temperature', source: 'temp', range: { min: -20, max, action } }],
        },
      ],
    },
  } as PipelineConfigFile;
}
