// Reconciles every derived value of a graph through a DigitalTwinsClient: the reconcile CLI's
// engine, and what the local runner calls after seeding a scenario. Builds a worker (one gateway, its budgets) over
// the client, checks the rules against the scenario's models for cycles hidden by inheritance.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { SdkAdtPort } from '../adt';
import { loadPipelineConfigFile } from '../config';
import type { DeadLetterSink } from '../deadLetter';
import type { PropagateLogger } from '../propagate';
import { checkRollupCyclesWithModels, modelsOverlapFromDocuments, type ReconcileProgress, type ReconcileSummary } from '../rollup';
import { createWorker, rollupsOf } from './worker';

export interface ReconcileGraphOptions {
  client: DigitalTwinsClient;
  pipelineConfigPath: string;
  /** DTDL documents at hand (a scenario's models/): the cycle check then follows inheritance. */
  models?: readonly Record<string, unknown>[];
  deadLetters: DeadLetterSink;
  log?: PropagateLogger;
  onProgress?: (progress: ReconcileProgress) => void;
  env?: NodeJS.ProcessEnv;
}

export async function reconcileGraph(options: ReconcileGraphOptions): Promise<ReconcileSummary> {
  const config = loadPipelineConfigFile(options.pipelineConfigPath);
  if (options.models) checkRollupCyclesWithModels(rollupsOf(config), modelsOverlapFromDocuments(options.models));
  const worker = createWorker({ env: options.env ?? {}, config, port: new SdkAdtPort(options.client), deadLetters: options.deadLetters });
  try {
    return await worker.reconciler.run(options.log, options.onProgress);
  } finally {
    worker.close();
  }
}
