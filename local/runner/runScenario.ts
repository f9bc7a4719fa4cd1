// The offline loop: emulator (or a real instance) → scenario seeded → the real function app loaded
// through the local host → telemetry fed as Event Hub batches → notifications delivered to the
// propagate function as Event Grid events → wait until quiet → summary, dump and tree.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import type { ConditionSweepSummary, ReconcileSummary } from '../../shared/rollup';
import { setWorkerClock } from '../../shared/worker';
import { setEmulatorClock } from '../emulator/clock';
import type { DeliveryPolicy, EndpointSchema } from '../emulator/events';
import { type EmulatorHandle, startEmulator } from '../emulator/server';
import {
  deadLetterListing,
  type GraphFormat,
  graphFormatOf,
  type GraphServer,
  startGraphServer,
  storeSource,
  writeGraphExport,
} from '../graph';
import { defaultScenarioDirectory, loadScenario, readTelemetryFile } from '../scenario';
import { type AdtAccess, azureAccess, emulatorAccess, runnerClient } from './adtAccess';
import { chooseDeadLetterTarget, type DeadLetterTarget } from './deadLetters';
import { DrainTimer } from './drainTimer';
import type { TelemetryEnvelope } from './envelope';
import { connectPropagation, endpointConfig } from './eventGridDelivery';
import { EventHubFeeder, type LostBatch } from './eventHubFeeder';
import type { EventHubPartitionInfo } from './eventHubTriggerRequest';
import { FaultPlan, type FaultReport, type FaultSettings, hasAdtFaults } from './faultPlan';
import { type FunctionApp, loadLocalFunctionApp } from './functionApp';
import { localEventHub, localHostAppSettings } from './hostAppSettings';
import { batchCeiling, eventHubBatching } from './hostConfig';
import { httpIngestInvoker } from './httpIngestInvoker';
import { ingestInvoker } from './ingestInvoker';
import { DEFAULT_INGRESS_PORT, type Ingress, startIngress } from './ingress';
import { FunctionInstances, type InstancesReport } from './instances';
import { invokeRegistration, triggerBindingOf } from './invoke';
import { type LocalMetrics, startLocalMetrics } from './localMetrics';
import { batchTotalsOf, type MessageAccounting, MessageLedger } from './messageAccounting';
import { progressReporter } from './progress';
import { reconcileAfterSeed, waitForTrailingRefreshes } from './reconcileHooks';
import { ResourceMonitor, type ResourceReport } from './resourceMonitor';
import { capDelays, retryPolicyOf } from './retryPolicy';
import { emptyStats, progressLine, recordIngestLog, recordPropagateResult, type RunStats } from './runStats';
import { seedScenario } from './seed';
import { type GraphDump, normaliseGraph, readGraph } from './snapshot';
import { runSoak, type SoakOptions } from './soak';
import { timerTriggerRequest } from './timerTriggerRequest';
import { renderTree } from './tree';

export interface RunOptions extends FaultSettings {
  /** Scenario directory; default local/scenarios/building. */
  scenario?: string;
  /** Telemetry ndjson; default <scenario>/telemetry.ndjson. */
  telemetry?: string;
  /** Writes the final twins and relationships (volatile fields stripped) as JSON. */
  dump?: string;
  /** A real ADT instance instead of the emulator (DefaultAzureCredential). */
  adtUrl?: string;
  /** Schema of the Event Grid deliveries to the propagate function. */
  schema?: EndpointSchema;
  /** Keep running, accepting envelopes on a loopback port, until `signal` aborts. */
  follow?: boolean;
  ingressPort?: number;
  signal?: AbortSignal;
  onIngress?: (url: string) => void;
  /**
   * With follow and the embedded emulator, as the loop starts: the emulator's URL and a file holding
   * its CA certificate, so other commands (reconcile, replay-dead-letters --emulator-ca) can reach it.
   */
  onEmulator?: (emulator: { url: string; caFile: string }) => void;
  /** Start Azurite for dead letters. */
  azurite?: boolean;
  /** Blob endpoint of an Azurite that is already running, e.g. http://127.0.0.1:10000/devstoreaccount1 (only when asked). */
  azuriteEndpoint?: string;
  /** Dead-letter folder; wins over Azurite; earlier dead letters in it are removed. Default: a fresh folder under .local/dead-letters. */
  deadLetterDirectory?: string;
  /** IoT Hub's default is 4. */
  partitions?: number;
  /** Default: host.json extensions.eventHubs.maxEventBatchSize (capped at prefetchCount). */
  maxBatchSize?: number;
  /** Caps the wait between redeliveries (the retry count stays the registration's). */
  maxRetryDelayMs?: number;
  /** Event Grid-like retry policy for propagate deliveries. */
  eventGridDelivery?: DeliveryPolicy;
  /** Progress output (the CLI passes stderr); none when absent. */
  progress?: NodeJS.WriteStream;
  /** Function log lines other than the batch summaries (warnings, errors). */
  onFunctionLog?: (functionName: string, level: string, message: string) => void;
  /** Called once everything is up, just before telemetry is fed (tests: faults, limits). */
  beforeFeed?: (context: { emulator?: EmulatorHandle }) => void | Promise<void>;
  /**
   * Work that runs alongside the feed, e.g. a second writer racing the functions (tests). Started
   * with the first telemetry; the run waits for it before it waits for quiet.
   */
  alongside?: (context: { emulator?: EmulatorHandle }) => Promise<void>;
  /** INGEST_DEADLINE_SECONDS for the ingest function (default: the app setting's own default). */
  ingestDeadlineSeconds?: number;
  /** Drive the simulator live through the loop for this long instead of replaying a file (not with follow). */
  soak?: SoakOptions;
  /** Soak report lines (the CLI passes stderr). */
  onSoakReport?: (line: string) => void;
  /** false under jest, which mocks @azure/functions-core in its own module registry. */
  hookFunctionsCore?: boolean;
  /** Event Grid deliveries in flight at once (default 16), so coalescing and 412s happen locally too. */
  deliveries?: number;
  /** Emulator query lag (--query-lag): queries see writes this late, as in ADT. */
  queryLag?: { lagMs: number; jitterMs: number };
  /** --instances: n copies of the function app, each a worker thread with its own state (compiled build only). */
  instances?: number;
  /** --rebalance-every: move Event Hub partitions between the instances this often (ms). */
  rebalanceEveryMs?: number;
  /** Record the pipeline's OpenTelemetry metrics (always on with follow: GET /metrics); RunResult.metrics has the final text. */
  metrics?: boolean;
  /** Folder for the emulator's egress sink (Event Hubs endpoint + twin-change route; emulator only). */
  egress?: string;
  /** Writes the final state to this file (--graph): a self-contained HTML page, or Mermaid / DOT text. */
  graph?: string;
  graphFormat?: GraphFormat;
  /** Port of the live graph page with follow (default: a free one). */
  graphPort?: number;
  /** The live graph page's URL, as soon as it is served (follow only). */
  onGraph?: (url: string) => void;
  /** The live page's explorer may change twins and relationships (npm run explore -- --allow-writes); read-only without. */
  allowWrites?: boolean;
  /**
   * Tests: one clock for the embedded emulator's service times ($lastUpdateTime) and the function
   * app (conditions' durations, staleness), advanced by the test in `afterQuiet`. With instances,
   * every instance reads it (shared memory kept current before each invocation).
   */
  clock?: { now(): number };
  /**
   * Called once the run is quiet, before the end-of-run sweep and the summary; `sweep()` invokes the
   * registered sweepConditions timer as the host does (with instances: on the instance holding the
   * timer's lease) and waits until quiet again; `sweepAfterLostLease()` runs it on the old and the
   * new lease holder at once, as after a lease lost under a long pause (one run without instances).
   */
  afterQuiet?: (context: {
    sweep: () => Promise<ConditionSweepSummary>;
    sweepAfterLostLease: () => Promise<ConditionSweepSummary[]>;
  }) => Promise<void>;
}

export interface PropagationFailure {
  eventId: string;
  type: string;
  subject: string | undefined;
  attempts: number;
  error: string;
}

export interface RunSummary {
  scenario: string;
  telemetryFile: string | undefined;
  envelopes: number;
  adt: string;
  deadLetters: string;
  deadLetterDirectory?: string;
  schema: EndpointSchema;
  stats: RunStats;
  lostBatches: LostBatch[];
  propagationFailures: PropagationFailure[];
  /** Propagation is only local on the emulator; a real instance routes through Azure. */
  propagation: 'local' | 'azure';
  /** Per message id: received = applied + filtered + dead-lettered, none given up. */
  accounting: MessageAccounting;
  /** Heap and RSS at start, end and peak, and the worst event-loop lag, over the feed. */
  resources: ResourceReport;
  /** When each scheduled fault window started and ended (ms after the first telemetry). */
  faults: FaultReport;
  /** The reconcile run after seeding (emulator only). */
  reconcile?: ReconcileSummary;
  /** The sweepConditions timer: invocations (every minute with follow, once at the end, and any a test asked for) and the last one's summary. */
  sweeps?: { invocations: number; last: ConditionSweepSummary };
  /** Per-instance counts with --instances. */
  instances?: InstancesReport;
  /** What left through the egress endpoint (CloudEvents AMQP shape, one line per notification). */
  egress?: { path: string; events: number };
  exitCode: number;
}

export interface RunResult {
  summary: RunSummary;
  /** The pipeline's metrics at the end of the run (Prometheus text), when recorded. */
  metrics?: string;
  dump: GraphDump;
  tree: string;
}

/** The sweepConditions timer's period (functions/sweepConditions.ts: every minute). */
const sweepPeriodMs = 60_000;

const defaultDelivery: DeliveryPolicy = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 };

function sumOperations(emulator: EmulatorHandle): { calls: number; throttled: number } {
  let calls = 0;
  let throttled = 0;
  for (const op of Object.values(emulator.counters().operations)) {
    calls += op?.requests ?? 0;
    throttled += op?.throttled ?? 0;
  }
  return { calls, throttled };
}

export async function runScenario(options: RunOptions = {}): Promise<RunResult> {
  const scenario = loadScenario(options.scenario ?? defaultScenarioDirectory);
  // A soak generates its telemetry live; no file is replayed.
  const telemetryFile = options.soak ? undefined : options.telemetry ? resolve(options.telemetry) : scenario.telemetryPath;
  if (options.soak && options.follow) throw new Error('--soak and --follow both feed live telemetry; pick one.');
  // Before anything is written to a real instance.
  if (options.adtUrl && options.egress)
    throw new Error(
      "--egress is the emulator's endpoint; with --adt-url, egress is the Azure endpoint infra/modules/egress.bicep creates.",
    );
  if (options.adtUrl && hasAdtFaults(options))
    throw new Error(
      'ADT faults (--adt-latency, --adt-faults, --adt-limits, --adt-outage) need the embedded emulator; drop --adt-url to use them.',
    );
  const envelopes: TelemetryEnvelope[] = telemetryFile ? readTelemetryFile(telemetryFile) : [];
  if (!telemetryFile && !options.follow && !options.soak) {
    throw new Error(
      `${scenario.directory} has no telemetry.ndjson. Pass --telemetry <file>, generate one with "npm run simulate -- --scenario ${scenario.directory} --out ${join(scenario.directory, 'telemetry.ndjson')}", or use --follow.`,
    );
  }
  const schema = options.schema ?? 'CloudEvents';
  const stats = emptyStats();
  // Live runs (soak, follow) may go on for hours: counts only, no per-id memory that grows with them.
  const ledger = new MessageLedger(!options.soak && !options.follow);
  const monitor = new ResourceMonitor();
  const failures: PropagationFailure[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  const reporter = progressReporter(options.progress);
  let timer: NodeJS.Timeout | undefined;

  try {
    if (options.clock) {
      const now = options.clock.now.bind(options.clock);
      setEmulatorClock(now);
      setWorkerClock({ now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))) });
      cleanups.push(() => {
        setEmulatorClock();
        setWorkerClock();
      });
    }
    let emulator: EmulatorHandle | undefined;
    let access: AdtAccess;
    if (options.adtUrl) {
      access = azureAccess(options.adtUrl);
    } else {
      emulator = await startEmulator({
        ...(options.queryLag && { queryLag: options.queryLag }),
        ...(options.egress && { egress: { directory: options.egress } }),
        endpoints: [endpointConfig(schema, options.eventGridDelivery ?? defaultDelivery, options.deliveries)],
      });
      const started = emulator;
      cleanups.push(() => started.close());
      access = emulatorAccess(emulator);
    }
    const httpClient = access.httpClient;
    if (httpClient?.destroy) cleanups.push(() => httpClient.destroy?.());
    const runner = runnerClient(access, emulator);
    cleanups.push(() => runner.close());
    const client: DigitalTwinsClient = runner.client;
    await seedScenario(client, scenario);
    emulator?.resetCounters();

    const deadLetters: DeadLetterTarget = await chooseDeadLetterTarget({
      ...(options.azurite ? { azurite: true } : {}),
      ...(options.azuriteEndpoint ? { azuriteEndpoint: options.azuriteEndpoint } : {}),
      ...(options.deadLetterDirectory !== undefined && { directory: options.deadLetterDirectory }),
      defaultRoot: join(process.cwd(), '.local', 'dead-letters'),
    });
    cleanups.push(() => deadLetters.close());
    const faults = await FaultPlan.create(options, emulator, deadLetters);
    cleanups.push(() => faults.close());
    const deadLetterSettings = { ...deadLetters.appSettings, ...faults.deadLetterOutage?.appSettings };

    const localMetrics: LocalMetrics | undefined = options.metrics || options.follow ? startLocalMetrics() : undefined;
    if (localMetrics) cleanups.push(() => localMetrics.close());

    const eventHubName = localEventHub.name;
    const consumerGroup = localEventHub.consumerGroup;
    // Every instance gets the same settings, and knows how many may share ADT (its starting share of the limits).
    const appSettings = localHostAppSettings({
      adtUrl: access.url,
      pipelineConfigPath: scenario.pipelineConfigPath,
      deadLetterSettings,
      ...(options.ingestDeadlineSeconds !== undefined ? { ingestDeadlineSeconds: options.ingestDeadlineSeconds } : {}),
      ...(options.instances !== undefined ? { instances: options.instances } : {}),
    });
    const app: FunctionApp | FunctionInstances =
      options.instances !== undefined
        ? await FunctionInstances.start({
            count: options.instances,
            appSettings,
            adt: emulator ? { kind: 'emulator', url: emulator.url, ca: emulator.ca } : { kind: 'azure', url: access.url },
            ...(options.clock && { clock: options.clock }),
          })
        : loadLocalFunctionApp({ appSettings, adt: access, ...(options.hookFunctionsCore === false ? { hook: false } : {}) });
    cleanups.push(() => (app instanceof FunctionInstances ? app.close() : app.unload()));
    const instances = app instanceof FunctionInstances ? app : undefined;
    // The drain timer of deferred values (single process; with --instances, ingest invocations drain them).
    const drainTimer =
      app instanceof FunctionInstances
        ? undefined
        : new DrainTimer(app.programmingModel, app.drain, (line) => {
            if (line.level !== 'information' && line.level !== 'debug' && line.level !== 'trace')
              options.onFunctionLog?.('drainDeferredValues', line.level, line.message);
          });
    if (drainTimer) {
      drainTimer.start();
      cleanups.push(() => drainTimer.stop());
    }

    const log = (fn: string) => (line: { level: string; category: string; message: string }) => {
      if (fn === 'ingestHttp') {
        // The Event Hub side enters the ledger per invocation (ingestInvoker); HTTP ingest by its summary line.
        const totals = batchTotalsOf(line.message);
        if (totals) ledger.httpIngested(totals);
      }
      if ((fn === 'ingestTelemetry' || fn === 'ingestHttp') && recordIngestLog(stats, line)) return;
      if (line.level !== 'information' && line.level !== 'debug' && line.level !== 'trace')
        options.onFunctionLog?.(fn, line.level, line.message);
    };

    if (emulator) {
      const unsubscribe = await connectPropagation(emulator, client, app, {
        onResult: (result) => {
          stats.propagateInvocations++;
          recordPropagateResult(stats, result);
        },
        onFailure: () => {
          stats.propagateInvocations++;
          stats.propagateFailures++;
        },
        onLog: log('propagateTwinChanges'),
      });
      cleanups.push(unsubscribe);
    }

    // The sweepConditions timer as the host fires it: in process, or on the instance holding its
    // lease (one at a time, as the host's singleton lock; timerLease.ts).
    let sweeps: RunSummary['sweeps'];
    const inProcess = instances ? undefined : (app as FunctionApp);
    const sweepRegistration = inProcess?.sweep ?? instances?.sweep;
    const sweepRequest = () =>
      timerTriggerRequest(
        sweepRegistration ? triggerBindingOf(sweepRegistration).name : 'timer',
        new Date(options.clock ? options.clock.now() : Date.now()),
        sweepPeriodMs,
      );
    const counted = (summaries: ConditionSweepSummary[]): ConditionSweepSummary[] => {
      const last = summaries[summaries.length - 1];
      if (last) sweeps = { invocations: (sweeps?.invocations ?? 0) + summaries.length, last };
      return summaries;
    };
    const invokeSweep = async (): Promise<ConditionSweepSummary> => {
      const summary = instances
        ? await instances.invokeSweep(sweepRequest(), log('sweepConditions'))
        : await invokeRegistration(
            (app as FunctionApp).programmingModel,
            (app as FunctionApp).sweep,
            sweepRequest(),
            log('sweepConditions'),
          );
      return counted([summary as ConditionSweepSummary])[0] as ConditionSweepSummary;
    };
    const invokeSweepAfterLostLease = async (): Promise<ConditionSweepSummary[]> =>
      counted(
        (instances
          ? await instances.invokeSweepAfterLostLease(sweepRequest(), log('sweepConditions'))
          : [await invokeSweep()]) as ConditionSweepSummary[],
      );

    const partitionInfo = (partitionId: string): EventHubPartitionInfo => ({
      fullyQualifiedNamespace: 'local-iothub.servicebus.windows.net',
      eventHubName,
      consumerGroup,
      partitionId,
    });
    const batching = eventHubBatching();
    const feeder = new EventHubFeeder({
      partitionCount: options.partitions ?? 4,
      maxBatchSize: options.maxBatchSize ?? batchCeiling(batching),
      minBatchSize: batching.minEventBatchSize,
      maxWaitMs: batching.maxWaitTimeMs,
      retry: capDelays(retryPolicyOf(app.ingest.metadata.retryOptions), options.maxRetryDelayMs),
      invoke: ingestInvoker({
        app,
        partitionInfo,
        stats,
        ledger,
        log: log('ingestTelemetry'),
        onFailure: (message) => options.onFunctionLog?.('ingestTelemetry', 'error', message),
      }),
    });
    cleanups.push(() => feeder.stop());

    const refresh = (): void => {
      if (emulator) {
        const ops = sumOperations(emulator);
        stats.adtCalls = ops.calls;
        stats.adtThrottled = ops.throttled;
      }
      reporter.update(progressLine(stats, feeder.pending));
    };
    timer = setInterval(refresh, 250);

    const feed = (incoming: TelemetryEnvelope[]): void => {
      ledger.fed(incoming);
      feeder.enqueue(incoming);
    };
    const pendingNotifications = (): number =>
      emulator ? Object.values(emulator.events.stats().endpoints).reduce((n, e) => n + e.pending, 0) : 0;

    let ingress: Ingress | undefined;
    if (options.follow && emulator) {
      // The certificate is made per run: a file of this run's own, removed when it ends.
      const caDirectory = mkdtempSync(join(tmpdir(), 'adt-emulator-'));
      cleanups.push(() => rmSync(caDirectory, { recursive: true, force: true }));
      const caFile = join(caDirectory, 'ca.pem');
      writeFileSync(caFile, emulator.ca, 'utf8');
      options.onEmulator?.({ url: emulator.url, caFile });
    }
    if (options.follow) {
      ingress = await startIngress(options.ingressPort ?? DEFAULT_INGRESS_PORT, feed, () => ({ stats, pending: feeder.pending }), {
        ...(localMetrics && { metrics: localMetrics.serve }),
        httpIngest: httpIngestInvoker(app, log('ingestHttp')),
      });
      const opened = ingress;
      cleanups.push(() => opened.close());
      options.onIngress?.(ingress.url);
      const view: GraphServer = await startGraphServer({
        port: options.graphPort ?? 0,
        source: emulator ? storeSource(emulator.store) : { read: () => readGraph(client) },
        ...(!emulator && { pollMs: 2_000 }),
        scenario,
        counters: () => ({ stats, pending: feeder.pending, accounting: ledger.report() }),
        deadLetters: deadLetterListing(deadLetters),
        ingressUrl: ingress.url,
        // The runner's client: an edit on the page is a data-plane write, so its notification propagates.
        explorer: {
          client,
          allowWrites: options.allowWrites ?? false,
          target: emulator ? `the embedded emulator (${emulator.url})` : access.url,
        },
      });
      // Last poll before it closes, so an open page is left showing the final state.
      cleanups.push(async () => {
        await view.refresh();
        await view.close();
      });
      options.onGraph?.(view.url);
    }

    // Values no notification triggers (counts, empty values, parents whose children never report).
    const reconciled = emulator
      ? await reconcileAfterSeed(
          client,
          scenario,
          options.deadLetterDirectory ?? join(process.cwd(), '.local', 'dead-letters'),
          options.queryLag ? options.queryLag.lagMs + options.queryLag.jitterMs : 0,
        )
      : undefined;
    await options.beforeFeed?.(emulator ? { emulator } : {});
    monitor.start();
    faults.start();
    // Settled now, rethrown after the feed: a failure of the side work must not be an unhandled rejection meanwhile.
    const alongside = Promise.resolve()
      .then(() => options.alongside?.(emulator ? { emulator } : {}))
      .then(
        () => undefined,
        (error: unknown) => error ?? new Error('alongside work failed'),
      );
    const stopRebalancing = instances && options.rebalanceEveryMs ? instances.rebalanceEvery(options.rebalanceEveryMs) : undefined;
    if (stopRebalancing) cleanups.push(stopRebalancing);
    feed(envelopes);
    if (options.soak) {
      await runSoak(options.soak, {
        scenario,
        enqueue: feed,
        sample: () => monitor.sample(),
        queues: () => ({
          eventHub: feeder.pending,
          notifications: pendingNotifications(),
          fed: ledger.report().fed,
          applied: stats.applied,
          deadLettered: stats.deadLettered,
        }),
        report: (line) => options.onSoakReport?.(line),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
    if (options.follow) {
      // Every minute, as the deployed schedule (0 */1 * * * *); a failed sweep is logged, the next one
      // retries. As in the host, a tick while a run is still going starts nothing.
      let sweeping = false;
      const every = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        void invokeSweep()
          .catch((error: unknown) => options.onFunctionLog?.('sweepConditions', 'error', String(error)))
          .finally(() => (sweeping = false));
      }, sweepPeriodMs);
      await untilAborted(options.signal);
      clearInterval(every);
      // Stop taking new envelopes, then finish what was accepted before reporting.
      await ingress?.close();
    }
    const sideFailure = await alongside;
    if (sideFailure) throw sideFailure;
    await faults.windowsOver();
    await untilQuiet(
      feeder,
      emulator,
      async () =>
        (instances ? await instances.trailingRefreshes() : await waitForTrailingRefreshes()) ||
        ((await drainTimer?.drainedSomething()) ?? false),
    );
    // The sweepConditions timer as the host fires it; once at the end, so what is due by now is finished.
    const quietAgain = () =>
      untilQuiet(feeder, emulator, async () => (instances ? instances.trailingRefreshes() : waitForTrailingRefreshes()));
    const sweep = async (): Promise<ConditionSweepSummary> => {
      const last = await invokeSweep();
      await quietAgain();
      return last;
    };
    const sweepAfterLostLease = async (): Promise<ConditionSweepSummary[]> => {
      const both = await invokeSweepAfterLostLease();
      await quietAgain();
      return both;
    };
    await options.afterQuiet?.({ sweep, sweepAfterLostLease });
    await sweep();
    stopRebalancing?.();
    const resources = monitor.stop();
    // The final read is the runner's, not the pipeline's: it runs on a healthy emulator.
    faults.stop();
    refresh();
    reporter.done();

    for (const dead of emulator?.events.deadLetters() ?? []) {
      failures.push({
        eventId: dead.notification.id,
        type: dead.notification.type,
        subject: dead.notification.subject,
        attempts: dead.attempts,
        error: dead.lastError,
      });
    }

    const accounting = ledger.report();
    const finalGraph = await readGraph(client);
    const dump = normaliseGraph(finalGraph);
    if (options.dump) {
      mkdirSync(dirname(resolve(options.dump)), { recursive: true });
      writeFileSync(resolve(options.dump), `${JSON.stringify(dump, null, 2)}\n`, 'utf8');
    }
    const summary: RunSummary = {
      scenario: scenario.directory,
      telemetryFile,
      envelopes: envelopes.length,
      adt: emulator ? `emulator ${emulator.url}` : access.url,
      deadLetters: deadLetters.description,
      ...(deadLetters.directory ? { deadLetterDirectory: deadLetters.directory } : {}),
      schema,
      stats,
      lostBatches: [...feeder.lost],
      propagationFailures: failures,
      propagation: emulator ? 'local' : 'azure',
      accounting,
      ...(reconciled && { reconcile: reconciled }),
      ...(sweeps && { sweeps }),
      ...(emulator?.egress && { egress: { path: emulator.egress.file, events: emulator.egress.written() } }),
      resources,
      faults: faults.report(),
      ...(instances && { instances: instances.report() }),
      exitCode: feeder.lost.length > 0 || failures.length > 0 || !accounting.balanced || (instances?.crashes().length ?? 0) > 0 ? 1 : 0,
    };
    if (options.graph) {
      writeGraphExport(options.graph, graphFormatOf(options.graph, options.graphFormat), {
        scenario,
        ...finalGraph,
        counters: { stats, accounting },
        deadLetters: await deadLetterListing(deadLetters)(),
      });
    }
    return { summary, dump, tree: renderTree(dump), ...(localMetrics && { metrics: await localMetrics.text() }) };
  } finally {
    if (timer) clearInterval(timer);
    monitor.stop();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`Local runner cleanup: ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }
}

/**
 * Quiet = every partition delivered, and the emulator's notification queues empty (which includes
 * the propagate invocations and the notifications their own writes caused). Checked twice in a row
 * because a propagate write can enqueue new work just as a queue empties.
 */
async function untilQuiet(
  feeder: EventHubFeeder,
  emulator: EmulatorHandle | undefined,
  trailingRefreshes: () => Promise<boolean>,
): Promise<void> {
  for (let calm = 0; calm < 2;) {
    await feeder.drained();
    await emulator?.events.idle();
    const refreshed = emulator ? await trailingRefreshes() : false;
    const busy =
      refreshed || feeder.pending > 0 || (emulator ? Object.values(emulator.events.stats().endpoints).some((e) => e.pending > 0) : false);
    calm = busy ? 0 : calm + 1;
  }
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
