// Event Grid trigger: ADT change notifications (CloudEvents or Event Grid schema, detected per
// event) keep derived values on parent twins correct. Logic lives in shared/propagate/.
import type { InvocationContext } from '@azure/functions';
import { app } from '@azure/functions';
import type { Propagator } from '../shared/propagate/propagator';
import { propagatorFromEnvironment } from '../shared/propagate/runtime';
import type { EventSummary } from '../shared/propagate/summary';

/**
 * Handles one event. Resolves for processed, ignored and malformed events (Event Grid must not
 * retry those); rejects on a transient ADT failure so Event Grid redelivers the event.
 */
export function propagateTwinChangesHandler(propagator: () => Propagator = propagatorFromEnvironment) {
  return async (event: unknown, context: InvocationContext): Promise<EventSummary> => propagator().handle(event, context);
}

export const propagateTwinChanges = propagateTwinChangesHandler();

app.eventGrid<unknown>('propagateTwinChanges', { handler: propagateTwinChanges });
