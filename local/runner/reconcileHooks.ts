// What the local runner does for roll-ups around a run: reconcile once the scenario is seeded
// (values no notification triggers: counts, empty values, parents whose children never report),
// and, before calling the run quiet, wait for the function app's trailing refreshes.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { FileDeadLetterSink } from '../../shared/deadLetter';
import { reconcileGraph, type ReconcileSummary } from '../../shared/rollup';
import { pipelineRollups, processWorkerIdle } from '../../shared/worker';

export interface SeededScenario {
  pipelineConfigPath: string;
  models: Record<string, unknown>[];
}

/** Waits out the query lag first: reconcile reads by query, and the seeded graph must be visible. */
export async function reconcileAfterSeed(
  client: DigitalTwinsClient,
  scenario: SeededScenario,
  deadLetterDirectory: string,
  queryLagMs = 0,
): Promise<ReconcileSummary> {
  if (queryLagMs > 0) await new Promise((resolve) => setTimeout(resolve, queryLagMs + 50));
  return reconcileGraph({
    client,
    ...pipelineRollups(scenario.pipelineConfigPath, scenario.models),
    models: scenario.models,
    deadLetters: new FileDeadLetterSink(deadLetterDirectory),
  });
}

/** True when the function app had trailing refreshes to wait for (the caller re-checks quiet). */
export async function waitForTrailingRefreshes(): Promise<boolean> {
  const { pending, idle } = processWorkerIdle();
  if (pending === 0) return false;
  await idle();
  return true;
}
