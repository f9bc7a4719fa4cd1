// Event Grid trigger: ADT change notifications (CloudEvents or Event Grid schema, detected per
// event) keep derived values on parent twins correct. Logic lives in shared/rollup/.
import { app, type InvocationContext } from '@azure/functions';

import { sharedCredential } from '../shared/adt';
import type { EventSummary, Propagator } from '../shared/rollup';
import { startAzureMonitor } from '../shared/telemetry';
import { worker } from '../shared/worker';

// Metrics and traces to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set
// (idempotent: whichever function file the host loads first starts it).
startAzureMonitor({ credential: sharedCredential });

/**
 * Handles one event. Resolves for processed, ignored and malformed events (Event Grid must not
 * retry those); rejects on a transient ADT failure so Event Grid redelivers the event.
 */
export function propagateTwinChangesHandler(propagator: () => Propagator = () => worker().propagator) {
  return async (event: unknown, context: InvocationContext): Promise<EventSummary> => propagator().handle(event, context);
}

export const propagateTwinChanges = propagateTwinChangesHandler();

app.eventGrid<unknown>('propagateTwinChanges', { handler: propagateTwinChanges });
