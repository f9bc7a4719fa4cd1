// Delivers the emulator's notifications to the propagate function as Event Grid would: an event
// route to a subscriber endpoint in the configured schema, one invocation per event through the
// captured eventGrid registration. A throwing invocation is retried by the endpoint's bounded
// policy (exponential backoff), then dead-lettered and reported.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import type { EndpointSchema } from '../emulator/events';
import type { EmulatorHandle } from '../emulator/server';
import { eventGridTriggerRequest } from './eventGridTriggerRequest';
import type { FunctionApp } from './functionApp';
import { FunctionInstances } from './instances';
import { type FunctionLogLine, invokeRegistration, triggerBindingOf } from './invoke';

export const propagateEndpoint = 'local-propagate';
export const propagateRoute = 'local-runner-propagate';

/** Telemetry notifications do not change twins; routing them would only cost invocations. */
const routeFilter = "type != 'microsoft.iot.telemetry'";

export interface EventGridDeliveryHooks {
  onResult(result: unknown): void;
  onFailure(error: unknown): void;
  onLog(line: FunctionLogLine): void;
}

/** `concurrency`: deliveries in flight at once (Event Grid pushes in parallel; --deliveries). */
export function endpointConfig(
  schema: EndpointSchema,
  delivery: { maxAttempts: number; initialDelayMs: number; maxDelayMs: number },
  concurrency = 16,
) {
  return { name: propagateEndpoint, kind: 'subscriber' as const, schema, delivery, concurrency };
}

export async function connectPropagation(
  emulator: EmulatorHandle,
  client: DigitalTwinsClient,
  app: FunctionApp | FunctionInstances,
  hooks: EventGridDeliveryHooks,
): Promise<() => void> {
  const { name: triggerName } = triggerBindingOf(app.propagate);
  const unsubscribe = emulator.events.subscribe(propagateEndpoint, async (event) => {
    try {
      const request = eventGridTriggerRequest(triggerName, event as unknown as Record<string, unknown>);
      // With --instances, any instance takes it (the least busy), as Event Grid spreads over all of them.
      const result = await (app instanceof FunctionInstances
        ? app.invokePropagate(request, hooks.onLog)
        : invokeRegistration(app.programmingModel, app.propagate, request, hooks.onLog));
      hooks.onResult(result);
    } catch (error) {
      hooks.onFailure(error);
      throw error; // a failed attempt: the endpoint's policy redelivers it
    }
  });
  await client.upsertEventRoute(propagateRoute, propagateEndpoint, routeFilter);
  return unsubscribe;
}
