// `--instances <n>`: n copies of the function app in one run, each a worker thread with its own module
// state, all talking to the one emulator. Event Hub batches go to the partition's owner
// (partitionOwnership.ts); Event Grid deliveries go to the least busy live instance, so they run on
// all instances at once. A thread that dies fails every request it held with the reason, and its
// partitions move to the others (the batch is redelivered, as after a lost lease in Azure).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import type { CapturedRegistration } from './functionsHost';
import type { FromInstance, InstanceFunction, InstanceStart, SerializedError, ToInstance } from './instanceProtocol';
import type { FunctionLogLine } from './invoke';
import { PartitionOwnership } from './partitionOwnership';
import type { RpcInvocationRequest } from './rpcTypes';
import { TimerLease } from './timerLease';

export interface InstanceCounts {
  index: number;
  /** Partitions it owns at the end of the run. */
  partitions: number;
  ingestInvocations: number;
  ingestFailures: number;
  /** Batches it finished after its partition had moved: not checkpointed, so the new owner ran them again. */
  uncheckpointedBatches: number;
  propagateInvocations: number;
  propagateFailures: number;
  /** HTTP ingest requests (--follow POST /api/telemetry) it served. */
  httpInvocations: number;
  /** sweepConditions timer runs (only while it held the timer's lease). */
  sweepInvocations: number;
  /** Why the thread died, when it did. */
  crashed?: string;
}

export interface InstancesReport {
  count: number;
  rebalances: number;
  partitionMoves: number;
  /** Times the timers' lease moved to another instance (its holder died, or a lost lease was simulated). */
  timerLeaseChanges: number;
  perInstance: InstanceCounts[];
}

export interface StartInstancesOptions {
  count: number;
  appSettings: Record<string, string>;
  adt: InstanceStart['adt'];
  /** Tests start their own threads; default: the compiled instanceWorker.js next to this module. */
  spawn?: (start: InstanceStart) => Worker;
  /** Tests' advancing clock, shared with every instance (read there through setWorkerClock). */
  clock?: { now(): number };
}

interface Pending {
  resolve(message: FromInstance): void;
  reject(error: Error): void;
}

interface Instance {
  index: number;
  worker: Worker;
  pending: Map<number, Pending>;
  counts: InstanceCounts;
  crashed?: string;
}

/** The compiled worker script; from the TypeScript sources (jest) there is none to start. */
export function instanceWorkerScript(): string {
  const script = join(__dirname, 'instanceWorker.js');
  if (!existsSync(script)) {
    throw new Error(
      `--instances runs each function instance from the compiled build, and ${script} does not exist. Run "npm run build" (npm run local does) and start the compiled runner.`,
    );
  }
  return script;
}

/** A batch is its partition and its sequence numbers (the same on every redelivery). */
function batchKeyOf(partitionId: string, request: RpcInvocationRequest): string {
  return `${partitionId}/${JSON.stringify(request.triggerMetadata.SequenceNumberArray ?? null)}`;
}

function errorFrom(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  if (serialized.stack) error.stack = serialized.stack;
  return error;
}

export class FunctionInstances {
  readonly ownership: PartitionOwnership;
  /** Logs of batches that completed on an owner that had lost the partition, by batch, until checkpointed. */
  private readonly completedUncheckpointed = new Map<string, FunctionLogLine[]>();
  /** The sweepConditions timer's singleton lease (the host's blob lease per timer). */
  readonly sweepLease = new TimerLease();
  private nextId = 1;
  private cursor = 0;
  private closed = false;

  private constructor(
    private readonly instances: Instance[],
    readonly ingest: { metadata: CapturedRegistration['metadata'] },
    readonly propagate: { metadata: CapturedRegistration['metadata'] },
    readonly http: { metadata: CapturedRegistration['metadata'] },
    /** The sweepConditions timer's registration, as the instances loaded it. */
    readonly sweep: { metadata: CapturedRegistration['metadata'] } | undefined,
    private readonly clock?: { source: { now(): number }; shared: Float64Array },
  ) {
    this.ownership = new PartitionOwnership(instances.length);
  }

  /** Starts every instance and waits until each has loaded the app (or fails with the first load error). */
  static async start(options: StartInstancesOptions): Promise<FunctionInstances> {
    if (!(Number.isInteger(options.count) && options.count >= 1))
      throw new Error(`--instances must be a positive integer (got ${options.count}).`);
    const spawn = options.spawn ?? ((start: InstanceStart) => new Worker(instanceWorkerScript(), { workerData: start }));
    const started: Instance[] = [];
    const ready: Promise<FromInstance & { type: 'ready' }>[] = [];
    const sharedClock = options.clock ? new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT) : undefined;
    const clock = options.clock && sharedClock ? { source: options.clock, shared: new Float64Array(sharedClock) } : undefined;
    if (clock) clock.shared[0] = clock.source.now();
    for (let index = 0; index < options.count; index++) {
      const worker = spawn({ index, appSettings: options.appSettings, adt: options.adt, ...(sharedClock && { clock: sharedClock }) });
      const instance: Instance = {
        index,
        worker,
        pending: new Map(),
        counts: {
          index,
          partitions: 0,
          ingestInvocations: 0,
          ingestFailures: 0,
          uncheckpointedBatches: 0,
          propagateInvocations: 0,
          propagateFailures: 0,
          httpInvocations: 0,
          sweepInvocations: 0,
        },
      };
      started.push(instance);
      ready.push(
        new Promise((resolve, reject) => {
          worker.once('message', (message: FromInstance) => {
            if (message.type === 'ready') resolve(message);
            else if (message.type === 'load-failed')
              reject(new Error(`Function instance ${index} could not load the function app: ${message.error.message}`));
            else reject(new Error(`Function instance ${index} sent ${message.type} before it was ready.`));
          });
          worker.once('error', (error) => reject(new Error(`Function instance ${index} failed while loading: ${error.message}`)));
          worker.once('exit', (code) =>
            reject(new Error(`Function instance ${index} exited with code ${code} while loading the function app.`)),
          );
        }),
      );
    }
    let first: FromInstance & { type: 'ready' };
    try {
      [first] = (await Promise.all(ready)) as [FromInstance & { type: 'ready' }];
    } catch (error) {
      await Promise.all(started.map((i) => i.worker.terminate()));
      throw error;
    }
    const pool = new FunctionInstances(
      started,
      { metadata: first.ingest },
      { metadata: first.propagate },
      { metadata: first.http },
      first.sweep && { metadata: first.sweep },
      clock,
    );
    for (const instance of started) pool.watch(instance);
    return pool;
  }

  /**
   * One ingest invocation on the partition's owner. When the partition moved while the batch ran,
   * the old owner's checkpoint is lost: the batch goes to the new owner and runs again. Its events
   * are accounted once, by the first run that completed them (its logs and summary): the re-run finds
   * their values already written and would report them filtered (stale) or dead-lettered again.
   */
  async invokeIngest(partitionId: string, request: RpcInvocationRequest, onLog: (line: FunctionLogLine) => void): Promise<unknown> {
    try {
      return await this.ingestOnOwner(partitionId, request, onLog);
    } finally {
      this.ownership.unpin(partitionId);
    }
  }

  private async ingestOnOwner(
    partitionId: string,
    request: RpcInvocationRequest,
    onLog: (line: FunctionLogLine) => void,
  ): Promise<unknown> {
    const batch = batchKeyOf(partitionId, request);
    for (;;) {
      const lease = this.ownership.lease(partitionId);
      const instance = this.instances[lease.owner]!;
      instance.counts.ingestInvocations++;
      const logs: FunctionLogLine[] = [];
      try {
        const result = await this.call(instance, 'ingest', request, (line) => logs.push(line));
        if (this.ownership.holds(lease)) {
          const first = this.completedUncheckpointed.get(batch);
          this.completedUncheckpointed.delete(batch);
          for (const line of first ?? logs) onLog(line);
          return result;
        }
        instance.counts.uncheckpointedBatches++;
        // Kept until the batch is checkpointed (a failed re-run is redelivered: the same batch again).
        if (!this.completedUncheckpointed.has(batch)) this.completedUncheckpointed.set(batch, logs);
        this.ownership.pin(partitionId);
      } catch (error) {
        instance.counts.ingestFailures++;
        for (const line of logs) onLog(line);
        throw error;
      }
    }
  }

  /** One Event Grid delivery on the live instance with the fewest requests in flight. */
  async invokePropagate(request: RpcInvocationRequest, onLog: (line: FunctionLogLine) => void): Promise<unknown> {
    const instance = this.leastBusy();
    instance.counts.propagateInvocations++;
    try {
      return await this.call(instance, 'propagate', request, onLog);
    } catch (error) {
      instance.counts.propagateFailures++;
      throw error;
    }
  }

  /** One HTTP ingest request (--follow POST /api/telemetry) on the least busy live instance. */
  async invokeHttp(request: RpcInvocationRequest, onLog: (line: FunctionLogLine) => void): Promise<unknown> {
    const instance = this.leastBusy();
    instance.counts.httpInvocations++;
    return this.call(instance, 'http', request, onLog);
  }

  /**
   * One sweepConditions timer run, on the instance holding the timer's lease (one instance at a
   * time, as the host's singleton lock; the lease moves when its holder dies).
   */
  async invokeSweep(request: RpcInvocationRequest, onLog: (line: FunctionLogLine) => void): Promise<unknown> {
    const holder = this.sweepLease.holder(this.live().map((i) => i.index));
    if (holder === undefined) throw new Error(`Every function instance has crashed: ${this.crashes().join('; ')}`);
    const instance = this.instances[holder]!;
    instance.counts.sweepInvocations++;
    return this.call(instance, 'sweep', request, onLog);
  }

  /**
   * The one case two sweeps overlap: the lease expires under its holder (a long pause) and the next
   * instance takes it and runs the timer while the old holder is still running. Both at once.
   */
  async invokeSweepAfterLostLease(request: RpcInvocationRequest, onLog: (line: FunctionLogLine) => void): Promise<unknown[]> {
    const pair = this.sweepLease.lose(this.live().map((i) => i.index));
    if (!pair) return [await this.invokeSweep(request, onLog)];
    return Promise.all(
      pair.map((index) => {
        const instance = this.instances[index]!;
        instance.counts.sweepInvocations++;
        return this.call(instance, 'sweep', request, onLog);
      }),
    );
  }

  /** Waits for every live instance's trailing refreshes; true when any instance had some. */
  async trailingRefreshes(): Promise<boolean> {
    const answers = await Promise.all(this.live().map((instance) => this.request(instance, { type: 'idle', id: this.nextId++ })));
    return answers.some((answer) => answer.type === 'idled' && answer.hadPending);
  }

  /** The --rebalance-every timer: partitions move one place along the spread, between batches. */
  rebalanceEvery(ms: number): () => void {
    const timer = setInterval(() => this.ownership.rebalance(), ms);
    return () => clearInterval(timer);
  }

  crashes(): string[] {
    return this.instances.flatMap((i) => (i.crashed ? [`instance ${i.index}: ${i.crashed}`] : []));
  }

  report(): InstancesReport {
    const owned = this.ownership.owned();
    return {
      count: this.instances.length,
      rebalances: this.ownership.rebalances,
      partitionMoves: this.ownership.moves,
      timerLeaseChanges: this.sweepLease.changes,
      perInstance: this.instances.map((i) => ({
        ...i.counts,
        partitions: owned[i.index] ?? 0,
        ...(i.crashed ? { crashed: i.crashed } : {}),
      })),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.instances.map((i) => i.worker.terminate()));
  }

  private async call(
    instance: Instance,
    fn: InstanceFunction,
    request: RpcInvocationRequest,
    onLog: (line: FunctionLogLine) => void,
  ): Promise<unknown> {
    const answer = await this.request(instance, { type: 'invoke', id: this.nextId++, fn, request });
    if (answer.type !== 'invoked') throw new Error(`Function instance ${instance.index} answered an invocation with ${answer.type}.`);
    for (const line of answer.logs) onLog(line);
    if (!answer.ok) throw errorFrom(answer.error);
    return answer.result;
  }

  private request(instance: Instance, message: ToInstance): Promise<FromInstance> {
    if (instance.crashed) return Promise.reject(new Error(`Function instance ${instance.index} has crashed (${instance.crashed}).`));
    // The instance reads the runner's clock as of this request (tests advance it only while quiet).
    if (this.clock) this.clock.shared[0] = this.clock.source.now();
    return new Promise((resolve, reject) => {
      instance.pending.set(message.id, { resolve, reject });
      instance.worker.postMessage(message);
    });
  }

  private watch(instance: Instance): void {
    instance.worker.on('message', (message: FromInstance) => {
      if (message.type !== 'invoked' && message.type !== 'idled') return;
      const pending = instance.pending.get(message.id);
      instance.pending.delete(message.id);
      pending?.resolve(message);
    });
    instance.worker.on('error', (error) => this.crashed(instance, `uncaught ${error.name}: ${error.message}`));
    instance.worker.on('exit', (code) => {
      if (!this.closed) this.crashed(instance, `the thread exited with code ${code}`);
    });
  }

  /** Fails what it held (the feeder redelivers those batches, Event Grid retries those events) and moves its partitions. */
  private crashed(instance: Instance, reason: string): void {
    instance.crashed ??= reason;
    this.ownership.markDead(instance.index);
    for (const pending of instance.pending.values()) pending.reject(new Error(`Function instance ${instance.index} crashed: ${reason}`));
    instance.pending.clear();
  }

  private live(): Instance[] {
    return this.instances.filter((i) => !i.crashed);
  }

  private leastBusy(): Instance {
    const live = this.live();
    if (live.length === 0) throw new Error(`Every function instance has crashed: ${this.crashes().join('; ')}`);
    // Ties go round the instances, so a light load is spread too rather than all landing on one.
    const from = this.cursor++ % live.length;
    let best = live[from]!;
    for (let k = 1; k < live.length; k++) {
      const instance = live[(from + k) % live.length]!;
      if (instance.pending.size < best.pending.size) best = instance;
    }
    return best;
  }
}
