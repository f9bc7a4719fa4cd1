// Flags of `npm run local` → RunOptions. Pure, so it is unit tested without starting anything.
import { parseArgs } from 'node:util';

import { parseQueryLag } from '../emulator/query/laggedSource';
import type { RunOptions } from './runScenario';

export const HELP = `Usage: npm run local -- [flags]

Runs the whole pipeline on this machine: ADT emulator, the scenario's twins, the real function app
(ingestTelemetry + propagateTwinChanges) driven as the Functions host would, simulated IoT Hub telemetry.
Ends with a summary and the twin tree; exit 0 once all input is processed and propagation is quiet.

  --scenario <dir>        Scenario directory (default local/scenarios/building): models/, graph.ndjson,
                          pipeline.yaml, optional telemetry.ndjson and simulator.json.
  --telemetry <file>      Telemetry envelopes (ndjson) to replay instead of <scenario>/telemetry.ndjson.
  --dump <out.json>       Write the final twins and relationships (etags and lastUpdateTimes removed).
  --schema <s>            Event Grid schema for propagate deliveries: CloudEvents (default) or EventGrid.
  --follow                Keep running; accept envelopes on http://127.0.0.1:<ingress-port>/telemetry
                          (npm run simulate -- --to http://127.0.0.1:7300). Ctrl+C prints the tree and exits.
  --ingress-port <n>      Port for --follow (default 7300).
  --adt-url <https://…>   Use a real ADT instance (DefaultAzureCredential) instead of the emulator. The scenario
                          is written to it; propagation then happens in Azure (Event Grid), not locally.
  --azurite               Start Azurite for dead letters (otherwise a running Azurite on :10000 is used,
                          else the folder below).
  --dead-letters <dir>    Dead-letter folder when no Azurite is used (default .local/dead-letters).
  --partitions <n>        Event Hub partitions (default 4, as IoT Hub).
  --batch-size <n>        Events per invocation (default host.json extensions.eventHubs.maxEventBatchSize).
  --fast-retries          Cap the wait between redeliveries at 1 s (the retry count stays the function's).
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

export function parseCliArgs(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      scenario: { type: 'string' },
      telemetry: { type: 'string' },
      dump: { type: 'string' },
      schema: { type: 'string' },
      follow: { type: 'boolean' },
      'ingress-port': { type: 'string' },
      'adt-url': { type: 'string' },
      azurite: { type: 'boolean' },
      'dead-letters': { type: 'string' },
      partitions: { type: 'string' },
      'batch-size': { type: 'string' },
      'fast-retries': { type: 'boolean' },
      deliveries: { type: 'string' },
      'query-lag': { type: 'string' },
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
  const run: RunOptions = {
    ...(values.scenario ? { scenario: values.scenario } : {}),
    ...(values.telemetry ? { telemetry: values.telemetry } : {}),
    ...(values.dump ? { dump: values.dump } : {}),
    ...(schema ? { schema: schema === 'eventgrid' ? ('EventGrid' as const) : ('CloudEvents' as const) } : {}),
    ...(values.follow ? { follow: true } : {}),
    ...(ingressPort !== undefined ? { ingressPort } : {}),
    ...(values['adt-url'] ? { adtUrl: values['adt-url'] } : {}),
    ...(values.azurite ? { azurite: true } : {}),
    ...(values['dead-letters'] ? { deadLetterDirectory: values['dead-letters'] } : {}),
    ...(values.partitions ? { partitions: positiveInt(values.partitions, '--partitions') } : {}),
    ...(values['batch-size'] ? { maxBatchSize: positiveInt(values['batch-size'], '--batch-size') } : {}),
    ...(values['fast-retries'] ? { maxRetryDelayMs: 1000 } : {}),
    ...(values.deliveries ? { deliveries: positiveInt(values.deliveries, '--deliveries') } : {}),
    ...(values['query-lag'] ? { queryLag: parseQueryLag(values['query-lag']) } : {}),
  };
  return { help: values.help === true, json: values.json === true, quiet: values.quiet === true, run };
}
