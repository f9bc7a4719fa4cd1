// Timer trigger: the waking part of conditions (rollups.conditions). A duration ("above 26 °C for
// 5 minutes") must end even when no message arrives, so every minute one paged query per condition
// finds the twins whose pending duration is due and the keeper writes it, with If-Match (two
// instances sweeping at once write each transition once). No state in this process: the pending
// time is on the twin. It also marks twins stale (rollups.staleness: one query per entry on
// $metadata.$lastUpdateTime). No query without conditions with a duration or staleness. A run is
// bounded (rollups.settings.sweepMaxRows / sweepMaxQueryUnits) and logs its cost. The host runs a
// timer on one instance at a time (a blob lease); a second run after a lost lease is still safe.
// Logic: shared/rollup/conditions. Its schedule: SWEEP_CONDITIONS_SCHEDULE; turn it off with
// AzureWebJobs.sweepConditions.Disabled = true (docs/OPERATIONS.md, "Timers when idle").
import { app, type InvocationContext, type Timer } from '@azure/functions';

import { sharedCredential } from '../shared/adt';
import type { ConditionSweepSummary } from '../shared/rollup';
import { readSetting } from '../shared/settings';
import { startAzureMonitor } from '../shared/telemetry';
import { worker } from '../shared/worker';

startAzureMonitor({ credential: sharedCredential });

/** The default, every minute (SWEEP_CONDITIONS_SCHEDULE replaces it): a transition is written at most about a minute (plus ADT's query lag) after it is due; its time is exact. */
export const sweepSchedule = '0 */1 * * * *';

export function sweepConditionsHandler(sweep: () => Promise<ConditionSweepSummary> = () => worker().sweepConditions()) {
  return async (_timer: Timer, context: InvocationContext): Promise<ConditionSweepSummary> => {
    const summary = await sweep();
    const line =
      `Conditions sweep: ${summary.queries} quer(ies), ${summary.pages} page(s), ${summary.rows} row(s), ${summary.queryUnits} QU` +
      `${summary.capped ? " (capped: the rest is the next run's)" : ''}, ${summary.pending} twin(s) due, ${summary.written} written, ` +
      `${summary.markedStale} of ${summary.foundStale} found stale marked, ${summary.failures.length} failed`;
    if (summary.failures.length > 0)
      context.error(
        `${line}: ${summary.failures.map((f) => `${f.twinId}: ${f.detail}`).join('; ')}. The next sweep tries them again.`,
        summary,
      );
    else context.log(line, summary);
    return summary;
  };
}

export const sweepConditionsTimer = sweepConditionsHandler();

// Read at registration, not as a %setting% expression: unset keeps the default instead of an error.
app.timer('sweepConditions', {
  schedule: readSetting('sweepConditionsSchedule') ?? sweepSchedule,
  runOnStartup: false,
  handler: sweepConditionsTimer,
});
