// The offline loop: emulator (or a real instance) → scenario seeded → the real function app loaded
// through the local host → telemetry fed as Event Hub batches → notifications delivered to the
// propagate function as Event Grid events → wait until quiet → summary, dump and tree.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import type { ReconcileSummary } from '../../shared/rollup';
import { settings } from '../../shared/settings';
import type { DeliveryPolicy, EndpointSchema } from '../emulator/events';
import { type EmulatorHandle, startEmulator } from '../emulator/server';
import { type AdtAccess, azureAccess, emulatorAccess, runnerClient } from './adtAccess';
import { chooseDeadLetterTarget, type DeadLetterTarget } from './deadLetters';
import type { TelemetryEnvelope } from './envelope';
import { connectPropagation, endpointConfig } from './eventGridDelivery';
import { EventHubFeeder, type LostBatch } from './eventHubFeeder';
import { type EventHubPartitionInfo, eventHubTriggerRequest } from './eventHubTriggerRequest';
import { type FunctionApp, loadLocalFunctionApp } from './functionApp';
import { maxEventBatchSize } from './hostConfig';
import { type Ingress, startIngress } from './ingress';
import { invokeRegistration, triggerBindingOf } from './invoke';
import { progressReporter } from './progress';
import { reconcileAfterSeed, waitForTrailingRefreshes } from './reconcileHooks';
import { capDelays, retryPolicyOf } from './retryPolicy';
import type { RegisteredBinding } from './rpcTypes';
import { emptyStats, progressLine, recordIngestLog, recordPropagateResult, type RunStats } from './runStats';
import { defaultScenarioDirectory, loadScenario, readTelemetryFile } from './scenario';
import { seedScenario } from './seed';
import { type GraphDump, normaliseGraph, readGraph } from './snapshot';
import { renderTree } from './tree';

export interface RunOptions {
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
  /** Start Azurite for dead letters. */
  azurite?: boolean;
  /** Blob endpoint of an Azurite that is already running (default http://127.0.0.1:10000/devstoreaccount1). */
  azuriteEndpoint?: string;
  /** Dead-letter folder when Azurite is not running; default .local/dead-letters. */
  deadLetterDirectory?: string;
  /** Ignore a running Azurite and use the folder. */
  folderDeadLettersOnly?: boolean;
  /** IoT Hub's default is 4. */
  partitions?: number;
  /** Default: host.json extensions.eventHubs.maxEventBatchSize. */
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
  /** false under jest, which mocks @azure/functions-core in its own module registry. */
  hookFunctionsCore?: boolean;
  /** Event Grid deliveries in flight at once (default 16), so coalescing and 412s happen locally too. */
  deliveries?: number;
  /** Emulator query lag (--query-lag): queries see writes this late, as in ADT. */
  queryLag?: { lagMs: number; jitterMs: number };
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
  /** The reconcile run after seeding (emulator only). */
  reconcile?: ReconcileSummary;
  exitCode: number;
}

export interface RunResult {
  summary: RunSummary;
  dump: GraphDump;
  tree: string;
}

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
  const telemetryFile = options.telemetry ? resolve(options.telemetry) : scenario.telemetryPath;
  const envelopes: TelemetryEnvelope[] = telemetryFile ? readTelemetryFile(telemetryFile) : [];
  if (!telemetryFile && !options.follow) {
    throw new Error(`${scenario.directory} has no telemetry.ndjson. Pass --telemetry <file>, generate one with "npm run simulate -- --scenario ${scenario.directory} --out ${join(scenario.directory, 'telemetry.ndjson')}", or use --follow.`);
  }
  const schema = options.schema ?? 'CloudEvents';
  const stats = emptyStats();
  const failures: PropagationFailure[] = [];
  const cleanups: Array<() => Promise<void> | void> = [];
  const reporter = progressReporter(options.progress);
  let timer: NodeJS.Timeout | undefined;

  try {
    let emulator: EmulatorHandle | undefined;
    let access: AdtAccess;
    if (options.adtUrl) {
      access = azureAccess(options.adtUrl);
    } else {
      emulator = await startEmulator({ ...(options.queryLag && { queryLag: options.queryLag }), endpoints: [endpointConfig(schema, options.eventGridDelivery ?? defaultDelivery, options.deliveries)] });
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
      directory: options.deadLetterDirectory ?? join(process.cwd(), '.local', 'dead-letters'),
      ...(options.folderDeadLettersOnly ? { folderOnly: true } : {}),
    });
    cleanups.push(() => deadLetters.close());

    const eventHubName = 'local-telemetry';
    const consumerGroup = '$Default';
    const app: FunctionApp = loadLocalFunctionApp({
      appSettings: {
        [settings.adtUrl.name]: access.url,
        [settings.pipelineConfigPath.name]: scenario.pipelineConfigPath,
        [settings.eventHubName.name]: eventHubName,
        [settings.eventHubConsumerGroup.name]: consumerGroup,
        ...deadLetters.appSettings,
      },
      adt: access,
      ...(options.hookFunctionsCore === false ? { hook: false } : {}),
    });
    cleanups.push(() => app.unload());

    const log = (fn: string) => (line: { level: string; category: string; message: string }) => {
      if (fn === 'ingestTelemetry' && recordIngestLog(stats, line)) return;
      if (line.level !== 'information' && line.level !== 'debug' && line.level !== 'trace') options.onFunctionLog?.(fn, line.level, line.message);
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

    const { name: triggerName, binding } = triggerBindingOf(app.ingest);
    const partitionInfo = (partitionId: string): EventHubPartitionInfo => ({
      fullyQualifiedNamespace: 'local-iothub.servicebus.windows.net',
      eventHubName,
      consumerGroup,
      partitionId,
    });
    const feeder = new EventHubFeeder({
      partitionCount: options.partitions ?? 4,
      maxBatchSize: options.maxBatchSize ?? maxEventBatchSize(),
      retry: capDelays(retryPolicyOf(app.ingest.metadata.retryOptions), options.maxRetryDelayMs),
      invoke: async (partitionId, events, retryCount, maxRetryCount) => {
        stats.ingestInvocations++;
        const request = eventHubTriggerRequest(triggerName, binding as RegisteredBinding, partitionInfo(partitionId), events, retryCount, maxRetryCount);
        try {
          await invokeRegistration(app.programmingModel, app.ingest, request, log('ingestTelemetry'));
        } catch (error) {
          stats.ingestFailures++;
          options.onFunctionLog?.('ingestTelemetry', 'error', `Batch on partition ${partitionId} failed (attempt ${retryCount + 1}): ${(error as Error)?.message ?? String(error)}`);
          throw error;
        }
      },
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

    let ingress: Ingress | undefined;
    if (options.follow) {
      ingress = await startIngress(options.ingressPort ?? 7300, (incoming) => feeder.enqueue(incoming), () => ({ stats, pending: feeder.pending }));
      const opened = ingress;
      cleanups.push(() => opened.close());
      options.onIngress?.(ingress.url);
    }

    // Values no notification triggers (counts, empty values, parents whose children never report).
    const reconciled = emulator ? await reconcileAfterSeed(client, scenario, options.deadLetterDirectory ?? join(process.cwd(), '.local', 'dead-letters'), options.queryLag ? options.queryLag.lagMs + options.queryLag.jitterMs : 0) : undefined;
    await options.beforeFeed?.(emulator ? { emulator } : {});
    feeder.enqueue(envelopes);
    if (options.follow) {
      await untilAborted(options.signal);
      // Stop taking new envelopes, then finish what was accepted before reporting.
      await ingress?.close();
    }
    await untilQuiet(feeder, emulator);
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

    const dump = normaliseGraph(await readGraph(client));
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
      ...(reconciled && { reconcile: reconciled }),
      exitCode: feeder.lost.length > 0 || failures.length > 0 ? 1 : 0,
    };
    return { summary, dump, tree: renderTree(dump) };
  } finally {
    if (timer) clearInterval(timer);
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
async function untilQuiet(feeder: EventHubFeeder, emulator: EmulatorHandle | undefined): Promise<void> {
  for (let calm = 0; calm < 2; ) {
    await feeder.drained();
    await emulator?.events.idle();
    const refreshed = emulator ? await waitForTrailingRefreshes() : false;
    const busy = refreshed || feeder.pending > 0 || (emulator ? Object.values(emulator.events.stats().endpoints).some((e) => e.pending > 0) : false);
    calm = busy ? 0 : calm + 1;
  }
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
