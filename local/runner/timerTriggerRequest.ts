// The RPC request the Functions host sends a timer trigger: the TimerInfo JSON with the .NET host's
// PascalCase keys (Schedule, ScheduleStatus, IsPastDue; @azure/functions camel-cases them for the
// handler) and no triggerMetadata (the library ignores it for timers).
import type { RpcInvocationRequest } from './rpcTypes';

export function timerTriggerRequest(triggerName: string, now: Date, periodMs: number): RpcInvocationRequest {
  const timer = {
    Schedule: { AdjustForDST: true },
    ScheduleStatus: {
      Last: new Date(now.getTime() - periodMs).toISOString(),
      Next: new Date(now.getTime() + periodMs).toISOString(),
      LastUpdated: now.toISOString(),
    },
    IsPastDue: false,
  };
  return { inputData: [{ name: triggerName, data: { json: JSON.stringify(timer) } }], triggerMetadata: {} };
}
