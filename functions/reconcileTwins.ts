// Timer trigger: reconcile — every derived value recomputed from the current graph, level by
// level, writing only what differs. The safety net under propagation (a notification lost with
// an instance, a rule added, twins that predate the app). Daily at 03:30 UTC; turn it off with the
// host's standard app setting AzureWebJobs.reconcileTwins.Disabled = true. Logic: shared/rollup.
import { app, type InvocationContext, type Timer } from '@azure/functions';

import { sharedCredential } from '../shared/adt';
import type { Reconciler, ReconcileSummary } from '../shared/rollup';
import { startAzureMonitor } from '../shared/telemetry';
import { worker } from '../shared/worker';

// Metrics and traces to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set
// (idempotent: whichever function file the host loads first starts it).
startAzureMonitor({ credential: sharedCredential });

export const reconcileSchedule = '0 30 3 * * *';

export function reconcileTwinsHandler(reconciler: () => Reconciler = () => worker().reconciler) {
  return async (_timer: Timer, context: InvocationContext): Promise<ReconcileSummary> => reconciler().run(context);
}

export const reconcileTwins = reconcileTwinsHandler();

app.timer('reconcileTwins', { schedule: reconcileSchedule, runOnStartup: false, handler: reconcileTwins });
