// Reconciles every derived value of a graph through a DigitalTwinsClient: the reconcile CLI's
// engine, and what the local runner calls after seeding a scenario. One gateway (its budgets) over
// the client; the rules are checked against the scenario's models (names, properties, cycles hidden
// by inheritance) before anything is written, and against the instance's models as the timer does.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { AdtGateway, gatewayLimitsFromSettings, SdkAdtPort } from '../../adt';
import type { DeadLetterSink } from '../../deadLetter';
import { buildModelIndex } from '../../dtdl';
import { type PropagateLogger, RulesModelCheck } from '../engine';
import { GatewayRollupPort } from '../port';
import { checkRollupsAgainstModels, type CompiledRollups, RollupConfigError } from '../rules';
import type { ReconcileProgress, ReconcileSummary } from './reconcileAll';
import { Reconciler } from './reconciler';

export interface ReconcileGraphOptions {
  client: DigitalTwinsClient;
  /** The compiled rules (shared/worker `pipelineRollups` loads them from a pipeline file). */
  rollups: CompiledRollups;
  /** Where the rules came from, named in errors (a file path). */
  origin: string;
  /** DTDL documents at hand (a scenario's models/): the cycle check then follows inheritance. */
  models?: readonly Record<string, unknown>[];
  deadLetters: DeadLetterSink;
  log?: PropagateLogger;
  onProgress?: (progress: ReconcileProgress) => void;
  env?: NodeJS.ProcessEnv;
}

export async function reconcileGraph(options: ReconcileGraphOptions): Promise<ReconcileSummary> {
  const { rollups } = options;
  if (options.models && options.models.length > 0) {
    const problems = checkRollupsAgainstModels(rollups, buildModelIndex([...options.models]));
    if (problems.length > 0)
      throw new RollupConfigError(
        `${options.origin}: the roll-up rules do not fit the models:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
  }
  const adt = new SdkAdtPort(options.client);
  const gateway = new AdtGateway({
    port: adt,
    limits: gatewayLimitsFromSettings(options.env ?? {}),
    modelCacheTtlMs: rollups.settings.modelCacheSeconds * 1000,
  });
  const reconciler = new Reconciler({
    compiled: rollups,
    port: new GatewayRollupPort(gateway),
    deadLetters: options.deadLetters,
    modelCheck: new RulesModelCheck(rollups, adt, () => options.deadLetters),
  });
  return reconciler.run(options.log, options.onProgress);
}
