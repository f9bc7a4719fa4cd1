// Builds what the Functions host sends the worker for one Event Grid delivery: the event JSON as
// delivered (either schema), and binding data holding only `data`.
import type { RpcInvocationRequest } from './rpcTypes';

export function eventGridTriggerRequest(triggerName: string, event: Record<string, unknown>, retryCount = 0, maxRetryCount = 0): RpcInvocationRequest {
  return {
    inputData: [{ name: triggerName, data: { json: JSON.stringify(event) } }],
    triggerMetadata: { data: { json: JSON.stringify(event.data ?? null) } },
    retryContext: { retryCount, maxRetryCount },
  };
}
