// Reconciles every derived value of a graph through a DigitalTwinsClient: the reconcile CLI's
// engine, and what the local runner calls after seeding a scenario. Builds a worker (one gateway, its budgets) over
// the client, checks the rules against the scenario's models (names, properties, cycles hidden by
// inheritance) before anything is written.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { SdkAdtPort } from '../adt';
import { defaultPipelineConfig, loadPipelineConfigFile } from '../config';
import type { DeadLetterSink } from '../deadLetter';
import type { PropagateLogger } from '../propagate';
import type { ReconcileProgress, ReconcileSummary } from '../rollup';
import { createWorker } from './worker';

export interface ReconcileGraphOptions {
  client: DigitalTwinsClient;
  /** The file holding the rules; '' = the defaults (no roll-ups), as an empty PIPELINE_CONFIG_PATH. */
  pipelineConfigPath: string;
  /** DTDL documents at hand (a scenario's models/): the cycle check then follows inheritance. */
  models?: readonly Record<string, unknown>[];
  deadLetters: DeadLetterSink;
  log?: PropagateLogger;
  onProgress?: (progress: ReconcileProgress) => void;
  env?: NodeJS.ProcessEnv;
}

export async function reconcileGraph(options: ReconcileGraphOptions): Promise<ReconcileSummary> {
  // With models, the file's misfits with them are part of its ConfigError (each with its line).
  const config = options.pipelineConfigPath === '' ? defaultPipelineConfig() : loadPipelineConfigFile(options.pipelineConfigPath, { ...(options.models && { models: options.models }) });
  const worker = createWorker({ env: options.env ?? {}, config, port: new SdkAdtPort(options.client), deadLetters: options.deadLetters });
  try {
    return await worker.reconciler.run(options.log, options.onProgress);
  } finally {
    worker.close();
  }
}
