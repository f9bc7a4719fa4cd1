// One ingest invocation per Event Hub batch, as the host makes it: the trigger request built from
// the batch, run through the captured ProgrammingModel, its outcome counted and entered in the
// message ledger (the function's own summary line for a batch that succeeded; the batch's ids when
// its last retry failed and the host would checkpoint past it).
import type { BatchInvoker } from './eventHubFeeder';
import { type EventHubPartitionInfo, eventHubTriggerRequest } from './eventHubTriggerRequest';
import type { FunctionApp } from './functionApp';
import { FunctionInstances } from './instances';
import { type FunctionLogLine, invokeRegistration, triggerBindingOf } from './invoke';
import { type BatchTotals, batchTotalsOf, type MessageLedger } from './messageAccounting';
import type { RegisteredBinding } from './rpcTypes';
import type { RunStats } from './runStats';

export interface IngestInvokerOptions {
  /** This process's app, or n instances (--instances: the batch runs on the partition's owner). */
  app: FunctionApp | FunctionInstances;
  partitionInfo: (partitionId: string) => EventHubPartitionInfo;
  stats: RunStats;
  ledger: MessageLedger;
  /** Every line the function logs (the run's stats and warnings are fed from here). */
  log: (line: FunctionLogLine) => void;
  onFailure?: (message: string) => void;
}

export function ingestInvoker(options: IngestInvokerOptions): BatchInvoker {
  const { app, stats, ledger } = options;
  const { name: triggerName, binding } = triggerBindingOf(app.ingest);
  return async (partitionId, events, retryCount, maxRetryCount) => {
    stats.ingestInvocations++;
    const request = eventHubTriggerRequest(
      triggerName,
      binding as RegisteredBinding,
      options.partitionInfo(partitionId),
      events,
      retryCount,
      maxRetryCount,
    );
    let totals: BatchTotals | undefined;
    const onLog = (line: FunctionLogLine): void => {
      totals = batchTotalsOf(line.message) ?? totals;
      options.log(line);
    };
    try {
      await (app instanceof FunctionInstances
        ? app.invokeIngest(partitionId, request, onLog)
        : invokeRegistration(app.programmingModel, app.ingest, request, onLog));
      ledger.succeeded(partitionId, events, totals);
    } catch (error) {
      stats.ingestFailures++;
      if (maxRetryCount !== -1 && retryCount >= maxRetryCount) ledger.gaveUp(partitionId, events);
      options.onFailure?.(
        `Batch on partition ${partitionId} failed (attempt ${retryCount + 1}): ${(error as Error)?.message ?? String(error)}`,
      );
      throw error;
    }
  };
}
