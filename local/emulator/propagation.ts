// Roll-ups in the standalone emulator. On its own the emulator has no Event Grid subscription and no
// function app: a twin written into it (a replayed dead letter, a script, the SDK) changed, and its
// parents never did. With a pipeline file it routes twin changes to an in-process propagator — the
// shared/worker the propagate function runs — over a client of its own, so parents follow as they
// do in Azure. Failures are dead-lettered to a folder, as the function would.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { SdkAdtPort } from '../../shared/adt';
import { loadPipelineConfigFile } from '../../shared/config';
import { FileDeadLetterSink } from '../../shared/deadLetter';
import type { PropagateLogger } from '../../shared/rollup';
import { createWorker } from '../../shared/worker';
import type { EmulatorHandle } from './server';
import { createEmulatorClient } from './trust';

export const PROPAGATION_ENDPOINT = 'emulator-propagate';
export const PROPAGATION_ROUTE = 'emulator-propagate';
/** Telemetry notifications do not change twins; routing them would only cost recomputes. */
const ROUTE_FILTER = "type != 'microsoft.iot.telemetry'";

const PIPELINE_FILES = ['pipeline.yaml', 'pipeline.yml', 'pipeline.json'];

/** The scenario's pipeline file, when it has one. */
export function scenarioPipelineFile(scenarioDir: string): string | undefined {
  return PIPELINE_FILES.map((name) => join(scenarioDir, name)).find((path) => existsSync(path));
}

export interface PropagationOptions {
  pipelineFile: string;
  deadLetterDirectory: string;
  log: PropagateLogger;
}

export interface EmulatorPropagation {
  /** Roll-up rules the propagator runs. */
  rules: number;
  pipelineFile: string;
  deadLetterDirectory: string;
  /** Resolves when no recompute or trailing refresh is pending. */
  idle(): Promise<void>;
  close(): void;
}

export async function startPropagation(emulator: EmulatorHandle, options: PropagationOptions): Promise<EmulatorPropagation> {
  const pipelineFile = resolve(options.pipelineFile);
  const config = loadPipelineConfigFile(pipelineFile);
  const { client, httpClient } = createEmulatorClient(emulator);
  const deadLetterDirectory = resolve(options.deadLetterDirectory);
  const worker = createWorker({ env: {}, config, port: new SdkAdtPort(client), deadLetters: new FileDeadLetterSink(deadLetterDirectory) });
  // A throw is a failed attempt: the endpoint's delivery policy retries it, as Event Grid does.
  const unsubscribe = emulator.events.subscribe(PROPAGATION_ENDPOINT, async (event) => {
    await worker.propagator.handle(event, options.log);
  });
  await client.upsertEventRoute(PROPAGATION_ROUTE, PROPAGATION_ENDPOINT, ROUTE_FILTER);
  return {
    rules: config.compiledRollups?.rules.length ?? 0,
    pipelineFile,
    deadLetterDirectory,
    idle: async () => {
      await emulator.events.idle();
      await worker.idle();
    },
    close() {
      unsubscribe();
      worker.close();
      httpClient.destroy();
    },
  };
}
