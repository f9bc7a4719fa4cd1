// The drainDeferredValues timer, as the Functions host runs it: every 30 s (its registered schedule's
// period), one run at a time, invoked through the registration like any trigger. Also run on demand
// when the runner waits for quiet, so a run ends with every deferred value in the emulator.
import type { DrainRunSummary } from '../../shared/ingest';
import type { CapturedProgrammingModel, CapturedRegistration } from './functionsHost';
import { type FunctionLogLine, invokeRegistration, triggerBindingOf } from './invoke';
import type { RpcInvocationRequest } from './rpcTypes';

/** A timer trigger's input as the host sends it (TimerInfo). */
export function timerTriggerRequest(triggerName: string, now = new Date()): RpcInvocationRequest {
  const timer = {
    Schedule: { AdjustForDST: true },
    ScheduleStatus: { Last: now.toISOString(), Next: new Date(now.getTime() + 30_000).toISOString(), LastUpdated: now.toISOString() },
    IsPastDue: false,
  };
  return { inputData: [{ name: triggerName, data: { json: JSON.stringify(timer) } }], triggerMetadata: {} };
}

export class DrainTimer {
  private running: Promise<DrainRunSummary | undefined> = Promise.resolve(undefined);
  private interval: NodeJS.Timeout | undefined;

  constructor(
    private readonly programmingModel: CapturedProgrammingModel,
    private readonly registration: CapturedRegistration,
    private readonly onLog: (line: FunctionLogLine) => void = () => undefined,
  ) {}

  start(everyMs = 30_000): void {
    this.interval ??= setInterval(() => void this.run().catch(() => undefined), everyMs);
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
  }

  /** One run after the one in progress; resolves its summary (undefined: no store configured). */
  run(): Promise<DrainRunSummary | undefined> {
    const { name } = triggerBindingOf(this.registration);
    this.running = this.running
      .catch(() => undefined)
      .then(
        async () =>
          (await invokeRegistration(this.programmingModel, this.registration, timerTriggerRequest(name), this.onLog)) as
            DrainRunSummary | undefined,
      );
    return this.running;
  }

  /** True while the store held values and this run removed some: call again until false. */
  async drainedSomething(): Promise<boolean> {
    const summary = await this.run();
    return (
      summary !== undefined &&
      summary.bucketsHoldingValues > 0 &&
      summary.twinsWritten + summary.valuesStale + summary.valuesDeadLettered > 0
    );
  }
}
