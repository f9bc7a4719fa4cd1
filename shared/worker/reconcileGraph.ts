// Reconciles every derived value of a graph through a DigitalTwinsClient: the reconcile CLI's
// engine, and what the local runner calls after seeding a scenario. Builds a worker (one gateway, its budgets) over
// the client, checks the rules against the scenario's models (names, properties, cycles hidden by
// inheritance) before anything is written.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { SdkAdtPort } from '../adt';
import { defaultPipelineConfig, loadPipelineConfigFile } from '../config';
import type { DeadLetterSink } from '../deadLetter';
import { buildModelIndex } from '../dtdl';
import type { PropagateLogger } from '../propagate';
import { checkRollupsAgainstModels, type ReconcileProgress, type ReconcileSummary, RollupConfigError } from '../rollup';
import { createWorker, rollupsOf } from './worker';

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
  const config = options.pipelineConfigPath === '' ? defaultPipelineConfig() : loadPipelineConfigFile(options.pipelineConfigPath);
  if (options.models && options.models.length > 0) {
    const problems = checkRollupsAgainstModels(rollupsOf(config), buildModelIndex([...options.models]));
    if (problems.length > 0) throw new RollupConfigError(`${config.origin}: the roll-up rules do not fit the models:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const worker = createWorker({ env: options.env ?? {}, config, port: new SdkAdtPort(options.client), deadLetters: options.deadLetters });
  try {
    return await worker.reconciler.run(options.log, options.onProgress);
  } finally {
    worker.close();
  }
}
