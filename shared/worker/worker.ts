// The composition root: everything one Functions worker process shares, built once. One
// configuration load, one DigitalTwinsClient and credential, one AdtGateway — so the ingest and
// propagate functions of an app draw on ONE set of ADT budgets, twin copies and model cache — one
// dead-letter sink, one planner, one propagator. Built lazily (a propagate-only invocation never
// builds the ingest side), and reset explicitly by tests and the local host.

import {
  type AdtClientOptions,
  AdtGateway,
  type AdtPort,
  createAdtClient,
  gatewayLimitsFromSettings,
  type RetryPolicy,
  SdkAdtPort,
  sharedCredential,
} from '../adt';
import type { Clock } from '../common';
import { type CompiledPipelineConfig, defaultPipelineConfig, loadPipelineConfig, loadPipelineConfigFile } from '../config';
import { type DeadLetterSink, deadLetterSinkFromSettings } from '../deadLetter';
import {
  createIngestPlanner,
  type DecodeOptions,
  type Deferral,
  deferralSettings,
  DeferredDrainer,
  type DeferredValuesStore,
  deferredValuesStoreFromSettings,
  type IngestPlanner,
  PartitionHandovers,
  type SignificanceOf,
  significanceResolver,
} from '../ingest';
import {
  type CompiledRollups,
  compileRollups,
  type ConditionSweepSummary,
  GatewayRollupPort,
  Propagator,
  Reconciler,
  RulesModelCheck,
  sweepConditions,
} from '../rollup';
import { readNumberSetting, readSetting } from '../settings';

/** What one ingest batch needs (shared/ingest processBatch's dependencies, less the per-batch ones). */
export interface IngestRuntime {
  gateway: AdtGateway;
  deadLetters: DeadLetterSink;
  planner: IngestPlanner;
  decodeOptions: DecodeOptions;
  deadlineMs: number;
  write: { maxParallelTwins: number; emitSourceTime: boolean; maxClockSkewSeconds: number; significance: SignificanceOf };
  /** The deferred-values store and write window; absent when no store is configured. */
  deferral?: Deferral;
  /** Partitions this process resumes after another instance held them (processBatch reads their twins afresh). */
  handovers?: PartitionHandovers;
}

export interface Worker {
  readonly config: CompiledPipelineConfig;
  readonly gateway: AdtGateway;
  readonly ingest: IngestRuntime;
  readonly propagator: Propagator;
  /** Recomputes every derived value from the current graph (the reconcile timer, the CLI). */
  readonly reconciler: Reconciler;
  /** Finishes the conditions' pending durations no change will finish (the sweepConditions timer). */
  sweepConditions(): Promise<ConditionSweepSummary>;
  /** Stops background work (trailing refreshes) of a propagator already built. */
  close(): void;
  /** Resolves when a propagator already built has no trailing refresh pending. */
  idle(): Promise<void>;
  /** Trailing refreshes pending (0 when no propagator was built). */
  readonly pendingRefreshes: number;
}

export interface WorkerOptions {
  env?: NodeJS.ProcessEnv;
  /** Already loaded configuration; default: the file named by PIPELINE_CONFIG_PATH (or the defaults). */
  config?: CompiledPipelineConfig;
  /** Tests and benchmarks: a port over an injected client (e.g. the emulator's). */
  port?: AdtPort;
  client?: Omit<AdtClientOptions, 'url'>;
  deadLetters?: DeadLetterSink;
  retryPolicy?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Tests: this deferred-values store instead of the one the settings name (null = none). */
  deferredValues?: DeferredValuesStore | null;
}

/** The compiled roll-ups of a loaded pipeline config; no `rollups` section = no rules. */
export function rollupsOf(config: CompiledPipelineConfig): CompiledRollups {
  // The config loader compiled (and cycle-checked) the section already.
  return config.compiledRollups ?? compileRollups({ rules: [] });
}

/** The roll-ups of a pipeline file ('' = the defaults, as an empty PIPELINE_CONFIG_PATH) and where they came from (reconcileGraph's input). */
export function pipelineRollups(
  pipelineConfigPath: string,
  models?: readonly Record<string, unknown>[],
): { rollups: CompiledRollups; origin: string } {
  // With models, the file's misfits with them are part of its ConfigError (each with its line).
  const config =
    pipelineConfigPath === '' ? defaultPipelineConfig() : loadPipelineConfigFile(pipelineConfigPath, { ...(models && { models }) });
  return { rollups: rollupsOf(config), origin: config.origin };
}

export function createWorker(options: WorkerOptions = {}): Worker {
  const env = options.env ?? process.env;
  const config = options.config ?? loadPipelineConfig(env);
  const rollups = rollupsOf(config);
  const port = options.port ?? new SdkAdtPort(createAdtClient({ url: readSetting('adtUrl', env) as string, ...options.client }));
  const gateway = new AdtGateway({
    port,
    limits: gatewayLimitsFromSettings(env),
    modelCacheTtlMs: rollups.settings.modelCacheSeconds * 1000,
    ...(options.retryPolicy && { retryPolicy: options.retryPolicy }),
    ...(options.clock && { clock: options.clock }),
  });
  let ingest: IngestRuntime | undefined;
  let propagator: Propagator | undefined;
  let sink: DeadLetterSink | undefined;
  // Built on first use: a propagate-only worker without dead-letter settings still starts, and its
  // first dead letter fails the invocation with the error saying which setting to add.
  const deadLetters = (): DeadLetterSink => (sink ??= options.deadLetters ?? deadLetterSinkFromSettings(sharedCredential, env));
  const lazyDeadLetters: DeadLetterSink = {
    target: 'dead letters (configured on first use)',
    write: (name, document) => deadLetters().write(name, document),
  };
  let gatewayRollupPort: GatewayRollupPort | undefined;
  const rollupPort = (): GatewayRollupPort =>
    (gatewayRollupPort ??= new GatewayRollupPort(gateway, options.clock ? { clock: options.clock } : {}));
  let reconciler: Reconciler | undefined;
  // The function never lists every model at start: the rules meet the instance's models on first use.
  const rulesCheck = new RulesModelCheck(rollups, port, () => lazyDeadLetters, options.clock);
  return {
    config,
    gateway,
    close() {
      propagator?.close();
    },
    idle: () => propagator?.idle() ?? Promise.resolve(),
    // The propagator's keeper: one model cache, one set of condition counters per worker.
    sweepConditions() {
      const { sweepMaxRows: maxRows, sweepMaxQueryUnits: maxQueryUnits, sweepPageSize: pageSize } = rollups.settings;
      return sweepConditions(this.propagator.conditions, rollupPort(), { bound: { maxRows, maxQueryUnits, pageSize } });
    },
    get pendingRefreshes() {
      return propagator?.pendingRefreshes ?? 0;
    },
    get reconciler() {
      reconciler ??= new Reconciler({ compiled: rollups, port: rollupPort(), deadLetters: lazyDeadLetters, modelCheck: rulesCheck });
      return reconciler;
    },
    get ingest() {
      if (ingest) return ingest;
      ingest = {
        gateway,
        deadLetters: deadLetters(),
        planner: createIngestPlanner(config.ingest, gateway),
        decodeOptions: {
          deviceIdProperties: config.ingest.options.deviceIdProperties,
          moduleIdProperties: config.ingest.options.moduleIdProperties,
          limits: { maxDecodedBytes: config.ingest.options.maxDecodedBytes, maxDepth: config.ingest.options.maxBodyDepth },
        },
        deadlineMs: readNumberSetting('ingestDeadlineSeconds', 240, env) * 1000,
        handovers: new PartitionHandovers(),
        write: {
          maxParallelTwins: config.ingest.options.maxParallelTwins,
          emitSourceTime: config.ingest.options.emitSourceTime,
          maxClockSkewSeconds: config.ingest.options.maxClockSkewSeconds,
          significance: significanceResolver(config.ingest),
        },
      };
      const store =
        options.deferredValues === undefined
          ? deferredValuesStoreFromSettings(sharedCredential, env)
          : (options.deferredValues ?? undefined);
      if (store) {
        const { maxParallelTwins, emitSourceTime, maxClockSkewSeconds, significance } = ingest.write;
        const drainer = new DeferredDrainer({
          store,
          gateway,
          deadLetters: ingest.deadLetters,
          // The batch's own write decisions: a deferred heartbeat is written, a value within its deadband is not.
          write: { emitSourceTime, maxClockSkewMs: maxClockSkewSeconds * 1000, significance },
          maxParallelTwins,
          ...(options.clock && { clock: options.clock }),
        });
        ingest.deferral = { store, drainer, ...deferralSettings(env) };
      }
      return ingest;
    },
    get propagator() {
      propagator ??= new Propagator({
        compiled: rollups,
        port: rollupPort(),
        deadLetters: lazyDeadLetters,
        modelCheck: rulesCheck,
        ...(options.clock && { clock: options.clock }),
      });
      return propagator;
    },
  };
}

let processConfig: CompiledPipelineConfig | undefined;
let processWorker: Worker | undefined;
let processClock: Clock | undefined;

/** The local host's tests: the process worker's clock (conditions, staleness, caches); none = the system clock. Takes effect at the next build. */
export function setWorkerClock(clock?: Clock): void {
  processClock = clock;
}

/**
 * The pipeline configuration of this worker. The function modules load it when the host loads the
 * app, so a broken file fails at startup with the ConfigError's list of problems.
 */
export function workerConfig(): CompiledPipelineConfig {
  processConfig ??= loadPipelineConfig();
  return processConfig;
}

/** The worker the deployed functions use: built on first invocation from app settings. */
export function worker(): Worker {
  processWorker ??= createWorker({ config: workerConfig(), ...(processClock && { clock: processClock }) });
  return processWorker;
}

/** The process worker's pending background work, without building a worker (the local runner). */
export function processWorkerIdle(): { pending: number; idle: () => Promise<void> } {
  return { pending: processWorker?.pendingRefreshes ?? 0, idle: () => processWorker?.idle() ?? Promise.resolve() };
}

/** A fresh worker: the next use re-reads settings and configuration (tests, the local host). */
export function resetWorker(): void {
  processWorker?.close();
  processConfig = undefined;
  processWorker = undefined;
}
