// Timer trigger: drain deferred values — the twins' latest values that ingest invocations could not
// write within their write window, written to ADT at its budget during quiet periods (ingest
// invocations drain them too while events flow). Every 30 s; a no-op when nothing is deferred or no
// store is configured. Turn it off with AzureWebJobs.drainDeferredValues.Disabled = true. Logic:
// shared/ingest/defer.
import { app, type InvocationContext, type Timer } from '@azure/functions';

import { sharedCredential } from '../shared/adt';
import { drainDeferredValues, type DrainRunSummary } from '../shared/ingest';
import { startAzureMonitor } from '../shared/telemetry';
import { type IngestRuntime, worker } from '../shared/worker';

startAzureMonitor({ credential: sharedCredential });

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

app.timer('drainDeferredValues', { schedule: drainSchedule, runOnStartup: false, handler: drainDeferred });
