// Flags of `npm run local` → RunOptions. Pure, so it is unit tested without starting anything.
import { parseArgs } from 'node:util';

import type { FaultOptions } from '../emulator/faults';
import type { ServiceLimitsOptions } from '../emulator/limits';
import { parseQueryLag } from '../emulator/query/laggedSource';
import { type GraphFormat, graphFormats } from '../graph';
import { faultKeys, limitKeys, parseKnownKeyValues, parseLatencyFlag, parseWindowFlag } from './faultFlags';
import type { RunOptions } from './runScenario';

export const HELP = `Usage: npm run local -- [flags]

Runs the whole pipeline on this machine: ADT emulator, the scenario's twins, the real function app
(ingestTelemetry + propagateTwinChanges) driven as the Functions host would, simulated IoT Hub telemetry.
Ends with a summary and the twin tree; exit 0 once all input is processed and propagation is quiet.

  --scenario <dir>        Scenario directory (default local/scenarios/building): models/, graph.ndjson,
                          pipeline.yaml, optional telemetry.ndjson and simulator.json.
  --telemetry <file>      Telemetry envelopes (ndjson) to replay instead of <scenario>/telemetry.ndjson.
  --dump <out.json>       Write the final twins and relationships (etags and lastUpdateTimes removed).
  --graph <file.html>     Write the final twin graph as one self-contained HTML page (opens offline).
  --graph-format <f>      html, mermaid or dot (Mermaid or Graphviz DOT text for docs); default from the
                          file name: .mmd/.mermaid → mermaid, .dot/.gv → dot, else html.
  --schema <s>            Event Grid schema for propagate deliveries: CloudEvents (default) or EventGrid.
  --follow                Keep running; accept envelopes on http://127.0.0.1:<ingress-port>/telemetry
                          (npm run simulate -- --to http://127.0.0.1:7300). Ctrl+C prints the tree and exits.
  --ingress-port <n>      Port for --follow (default 7300). Also serves POST /api/telemetry (the HTTP ingest
                          function through the local host: per-message outcomes) and GET /metrics (Prometheus).
  --egress <dir>          Emulator egress sink: every twin change as ADT sends it to Event Hubs, one line per
                          event in <dir>/egress-eventHub.ndjson; the summary gives the count and path.
  --graph-port <n>        Port of the live graph page --follow serves (default: a free port; the URL is
                          printed at start).
  --adt-url <https://…>   Use a real ADT instance (DefaultAzureCredential) instead of the emulator. The scenario
                          is written to it; propagation then happens in Azure (Event Grid), not locally.
  --azurite               Start Azurite for dead letters.
  --azurite-endpoint <url>  Use an Azurite already running there (e.g. http://127.0.0.1:10000/devstoreaccount1);
                          its storage API version is checked before the run.
  --dead-letters <dir>    Dead-letter folder; always wins, and dead letters of an earlier run in it are
                          removed. Default: a fresh folder per run under .local/dead-letters/.
  --partitions <n>        Event Hub partitions (default 4, as IoT Hub).
  --batch-size <n>        Events per invocation (default host.json extensions.eventHubs.maxEventBatchSize).
  --fast-retries          Cap the wait between redeliveries at 1 s (the retry count stays the function's).
  --ingest-deadline <s>   INGEST_DEADLINE_SECONDS for the ingest function (time a batch may spend retrying ADT).
  --instances <n>         Run n copies of the function app (worker threads, each with its own caches and
                          budgets; ADT_MAX_INSTANCES=n): partitions spread over them, Event Grid deliveries to all.
  --rebalance-every <s>   With --instances: move the partitions between instances every s seconds (a moved
                          partition's new owner starts from the last checkpoint, so a batch may run twice).
Faults (embedded emulator; they start with the first telemetry and end before the final read):
  --adt-latency <ms>[:<jitter>]   Latency on every data-plane request, plus uniform jitter.
  --adt-faults k=v,...    errorRate, errorStatuses (500|503), retryAfterOn503, resetRate, slowRate, slowMs,
                          latencyMs, jitterMs, seed — the emulator's fault keys; unknown keys are refused.
  --adt-limits k=v,...    perTwinWritesPerSecond, patchesPerSecond, readsPerSecond, createsDeletesPerSecond,
                          queriesPerSecond, modelRequestsPerSecond, routeRequestsPerSecond, maxPayloadBytes,
                          maxStringBytes, retryAfter (header|none), enabled — ADT's limits, changed.
  --adt-outage <start>+<duration>  Seconds after the first telemetry: every ADT request fails (connection
                          reset or 503) for <duration> s. Repeatable. The run lasts until the last one ended.
  --dead-letter-outage <start>+<duration>  The dead-letter store (folder or Azurite) refuses every write.
                          Repeatable.
Soak (not for CI):
  --soak <minutes>        Drive the simulator live through the loop for that long; print heap, RSS, event-loop
                          lag and queue sizes once a minute.
  --soak-rate <n>         Messages per second during --soak (default 10).
  --deliveries <n>        Event Grid deliveries in flight at once (default 16, as Event Grid pushes in parallel).
  --query-lag ms[:jitter] Emulator queries see writes only after ms (plus up to jitter), as ADT's index.
  --quiet                 No progress line.
  --json                  Print the summary as JSON instead of text.
  --help                  Show this text.`;

export interface CliOptions {
  help: boolean;
  json: boolean;
  quiet: boolean;
  run: RunOptions;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer (got "${value}").`);
  return n;
}

function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number (got "${value}").`);
  return n;
}

export function parseCliArgs(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      scenario: { type: 'string' },
      telemetry: { type: 'string' },
      dump: { type: 'string' },
      graph: { type: 'string' },
      'graph-format': { type: 'string' },
      'graph-port': { type: 'string' },
      schema: { type: 'string' },
      follow: { type: 'boolean' },
      'ingress-port': { type: 'string' },
      egress: { type: 'string' },
      'adt-url': { type: 'string' },
      azurite: { type: 'boolean' },
      'azurite-endpoint': { type: 'string' },
      'dead-letters': { type: 'string' },
      partitions: { type: 'string' },
      'batch-size': { type: 'string' },
      'fast-retries': { type: 'boolean' },
      'ingest-deadline': { type: 'string' },
      'adt-latency': { type: 'string' },
      'adt-faults': { type: 'string' },
      'adt-limits': { type: 'string' },
      'adt-outage': { type: 'string', multiple: true },
      'dead-letter-outage': { type: 'string', multiple: true },
      soak: { type: 'string' },
      'soak-rate': { type: 'string' },
      deliveries: { type: 'string' },
      'query-lag': { type: 'string' },
      instances: { type: 'string' },
      'rebalance-every': { type: 'string' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const schema = values.schema === undefined ? undefined : values.schema.toLowerCase();
  if (schema !== undefined && schema !== 'cloudevents' && schema !== 'eventgrid') {
    throw new Error(`--schema must be CloudEvents or EventGrid (got "${values.schema}").`);
  }
  const ingressPort = values['ingress-port'] === undefined ? undefined : Number(values['ingress-port']);
  if (ingressPort !== undefined && !(Number.isInteger(ingressPort) && ingressPort >= 0 && ingressPort < 65536)) {
    throw new Error(`--ingress-port must be a port number (got "${values['ingress-port']}").`);
  }
  const graphFormat = values['graph-format'];
  if (graphFormat !== undefined && !(graphFormats as readonly string[]).includes(graphFormat))
    throw new Error(`--graph-format must be ${graphFormats.join(', ')} (got "${graphFormat}").`);
  if (graphFormat !== undefined && values.graph === undefined) throw new Error('--graph-format needs --graph <file> to write to.');
  const graphPort = values['graph-port'] === undefined ? undefined : Number(values['graph-port']);
  if (graphPort !== undefined && !(Number.isInteger(graphPort) && graphPort >= 0 && graphPort < 65536))
    throw new Error(`--graph-port must be a port number (got "${values['graph-port']}").`);
  if (graphPort !== undefined && !values.follow)
    throw new Error('--graph-port is the live graph page of --follow; add --follow (or use --graph <file.html> for the final state).');
  const adtFaults: Partial<FaultOptions> = {
    ...(values['adt-faults'] !== undefined ? parseKnownKeyValues<FaultOptions>(values['adt-faults'], '--adt-faults', faultKeys) : {}),
    ...(values['adt-latency'] !== undefined ? parseLatencyFlag(values['adt-latency']) : {}),
  };
  const adtLimits =
    values['adt-limits'] !== undefined
      ? parseKnownKeyValues<ServiceLimitsOptions>(values['adt-limits'], '--adt-limits', limitKeys)
      : undefined;
  const adtOutages = (values['adt-outage'] ?? []).map((w) => parseWindowFlag(w, '--adt-outage'));
  const deadLetterOutages = (values['dead-letter-outage'] ?? []).map((w) => parseWindowFlag(w, '--dead-letter-outage'));
  const soakMinutes = positiveNumber(values.soak, '--soak');
  const soakRate = positiveNumber(values['soak-rate'], '--soak-rate');
  if (soakRate !== undefined && soakMinutes === undefined) throw new Error('--soak-rate needs --soak <minutes>.');
  const faultsOrLimits = Object.keys(adtFaults).length > 0 || adtLimits !== undefined || adtOutages.length > 0;
  if (faultsOrLimits && values['adt-url'])
    throw new Error(
      '--adt-latency, --adt-faults, --adt-limits and --adt-outage act on the embedded emulator; they cannot be combined with --adt-url.',
    );
  const instances = positiveInt(values.instances, '--instances');
  const rebalanceEvery = positiveNumber(values['rebalance-every'], '--rebalance-every');
  if (rebalanceEvery !== undefined && instances === undefined)
    throw new Error('--rebalance-every moves partitions between instances; give --instances <n> too.');
  const run: RunOptions = {
    ...(values.scenario ? { scenario: values.scenario } : {}),
    ...(values.telemetry ? { telemetry: values.telemetry } : {}),
    ...(values.dump ? { dump: values.dump } : {}),
    ...(schema ? { schema: schema === 'eventgrid' ? ('EventGrid' as const) : ('CloudEvents' as const) } : {}),
    ...(values.follow ? { follow: true } : {}),
    ...(ingressPort !== undefined ? { ingressPort } : {}),
    ...(values.egress !== undefined ? { egress: values.egress } : {}),
    ...(values['adt-url'] ? { adtUrl: values['adt-url'] } : {}),
    ...(values.azurite ? { azurite: true } : {}),
    ...(values['azurite-endpoint'] ? { azuriteEndpoint: values['azurite-endpoint'] } : {}),
    ...(values['dead-letters'] ? { deadLetterDirectory: values['dead-letters'] } : {}),
    ...(values.partitions ? { partitions: positiveInt(values.partitions, '--partitions') } : {}),
    ...(values['batch-size'] ? { maxBatchSize: positiveInt(values['batch-size'], '--batch-size') } : {}),
    ...(values['fast-retries'] ? { maxRetryDelayMs: 1000 } : {}),
    ...(values['ingest-deadline'] !== undefined
      ? { ingestDeadlineSeconds: positiveNumber(values['ingest-deadline'], '--ingest-deadline') }
      : {}),
    ...(Object.keys(adtFaults).length > 0 ? { adtFaults } : {}),
    ...(adtLimits ? { adtLimits } : {}),
    ...(adtOutages.length > 0 ? { adtOutages } : {}),
    ...(deadLetterOutages.length > 0 ? { deadLetterOutages } : {}),
    ...(soakMinutes !== undefined ? { soak: { minutes: soakMinutes, ...(soakRate !== undefined ? { rate: soakRate } : {}) } } : {}),
    ...(values.deliveries ? { deliveries: positiveInt(values.deliveries, '--deliveries') } : {}),
    ...(values['query-lag'] ? { queryLag: parseQueryLag(values['query-lag']) } : {}),
    ...(values.graph ? { graph: values.graph } : {}),
    ...(graphFormat !== undefined ? { graphFormat: graphFormat as GraphFormat } : {}),
    ...(graphPort !== undefined ? { graphPort } : {}),
    ...(instances !== undefined ? { instances } : {}),
    ...(rebalanceEvery !== undefined ? { rebalanceEveryMs: rebalanceEvery * 1000 } : {}),
  };
  return { help: values.help === true, json: values.json === true, quiet: values.quiet === true, run };
}
