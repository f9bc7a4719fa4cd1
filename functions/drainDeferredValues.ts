// Timer trigger: drain deferred values — the twins' latest values that ingest invocations could not
// write within their write window, written to ADT at its budget during quiet periods (ingest
// invocations drain them too while events flow). Every 30 s (DRAIN_DEFERRED_SCHEDULE); a no-op when
// nothing is deferred or no store is configured. Turn it off with AzureWebJobs.drainDeferredValues.Disabled
// = true (docs/OPERATIONS.md, "Timers when idle"). Logic: shared/ingest/defer.
import { app, type InvocationContext, type Timer } from '@azure/functions';

import { sharedCredential } from '../shared/adt';
import { drainDeferredValues, type DrainRunSummary } from '../shared/ingest';
import { readSetting } from '../shared/settings';
import { startAzureMonitor } from '../shared/telemetry';
import { type IngestRuntime, worker } from '../shared/worker';

startAzureMonitor({ credential: sharedCredential });

/** The default schedule; DRAIN_DEFERRED_SCHEDULE replaces it. */
export const drainSchedule = '*/30 * * * * *';

/** A run stops starting drain passes after this long, well inside the next tick and functionTimeout. */
export const drainRunSeconds = 25;

export function drainDeferredValuesHandler(runtime: () => IngestRuntime = () => worker().ingest) {
  return async (_timer: Timer, context: InvocationContext): Promise<DrainRunSummary | undefined> => {
    const { deferral, gateway } = runtime();
    if (!deferral) return undefined;
    const summary = await drainDeferredValues(deferral, gateway, { runSeconds: drainRunSeconds });
    context.info(JSON.stringify(summary));
    return summary;
  };
}

export const drainDeferred = drainDeferredValuesHandler();

// Read here rather than as a %DRAIN_DEFERRED_SCHEDULE% binding expression: an unset %setting% puts the
// timer in error (an app updated before its settings were), an unset setting here keeps the default.
app.timer('drainDeferredValues', {
  schedule: readSetting('drainDeferredSchedule') ?? drainSchedule,
  runOnStartup: false,
  handler: drainDeferred,
});
