// Command-line flags of `npm run emulator` → EmulatorOptions. Pure, so it can be unit tested.
import type { EndpointConfig } from './events';
import type { FaultOptions } from './faults';
import type { ServiceLimitsOptions } from './limits';
import type { EmulatorOptions } from './options';
import { parseQueryLag } from './query/laggedSource';

/** ADT itself listens on 443; 4443 is the usual unprivileged stand-in, so a URL typed once keeps working. */
export const DEFAULT_PORT = 4443;
/** The certificate survives restarts here, so curl --cacert / NODE_EXTRA_CA_CERTS set once keep working. */
export const DEFAULT_CERT_DIR = '.local/emulator-cert';
/** Where propagation failures are dead-lettered, as the propagate function would. */
export const DEFAULT_PROPAGATION_DEAD_LETTERS = '.local/dead-letters/emulator';

export const HELP = `Usage: npm run emulator -- [flags]

Runs the Azure Digital Twins data-plane emulator over HTTPS on 127.0.0.1.

  --port <n>              Port to listen on (default ${DEFAULT_PORT}; 0 = any free port).
  --cert-dir <dir>        Keep the self-signed certificate in <dir>/cert.pem + key.pem (created if
                          missing; default ${DEFAULT_CERT_DIR}) so clients trust one CA across restarts.
  --ca-out <file>         Also write the certificate (PEM) to <file>.
  --scenario <dir>        Upload <dir>/models/ and import <dir>/graph.ndjson at start
                          (e.g. local/scenarios/building).
  --models <dir>          Upload every DTDL .json under <dir> at start, in dependency-ordered calls
                          of at most 250 models (as ADT requires).
  --import <file.ndjson>  Load an ADT import-job file (Header, Models, Twins, Relationships) at start,
                          after --models/--scenario.
  --storage <conn>        Blob Storage the instance's identity reaches for Jobs API import jobs
                          (/jobs/imports), e.g. "UseDevelopmentStorage=true" for Azurite on 10000.
  --job-notifications lifecycle|none
                          Whether import/delete jobs send twin and relationship lifecycle
                          notifications (default lifecycle; ADT does not document it, docs/BULK.md).
  --persist <file.json>   Load state from <file> at start; save it after changes and on exit.
  --limits k=v,...        Service limits, e.g. perTwinWritesPerSecond=10,readsPerSecond=1000,
                          retryAfter=none,enabled=false (keys of ServiceLimitsOptions).
  --latency ms[:jitter]   Add fixed latency (plus uniform jitter) to every data-plane request.
  --query-lag ms[:jitter] Queries see writes only after ms (plus up to jitter) as ADT's index does
                          ("up to 10 s"); GET and relationship lists stay consistent.
  --faults k=v,...        Fault injection, e.g. errorRate=0.05,errorStatuses=500|503,resetRate=0.01,
                          slowRate=0.1,slowMs=2000,retryAfterOn503=1,seed=42.
  --endpoint name=webhook:<url>:eventgrid|cloudevents
                          Declare an event endpoint routes can name (repeatable).
  --egress <dir>          An Event Hubs endpoint (--egress-kind serviceBus for Service Bus) and a route for
                          Twin.Create/Update/Delete: each notification is written to <dir>/egress-<kind>.ndjson
                          in the CloudEvents AMQP shape ADT sends (cloudEvents:* properties + body).
  --egress-kind <k>       eventHub (default) or serviceBus.

Roll-ups: a twin written into the emulator (a replayed dead letter, a script) updates its parents as
in Azure when a pipeline file with roll-up rules is given — by default the --scenario's pipeline.yaml
(or .yml/.json). Twin changes are routed to an in-process propagator (the propagate function's code,
no Functions host); its failures are dead-lettered to a folder.
  --pipeline <file>       Run roll-up propagation with this pipeline file's rules (instead of the scenario's).
  --no-propagate          No propagation, even with a scenario pipeline file (the bare data plane).
  --dead-letters <dir>    Where propagation failures are written (default ${DEFAULT_PROPAGATION_DEAD_LETTERS}).

  --help                  Show this text.

Admin API (no auth): POST /$admin/reset, GET /$admin/state, GET /$admin/counters,
POST /$admin/counters/reset, PUT /$admin/faults, PUT /$admin/limits, POST /$admin/import.`;

export interface CliOptions {
  help: boolean;
  caOut?: string;
  emulator: EmulatorOptions;
  /** --pipeline: the rules to propagate with (default: the scenario's pipeline file). */
  pipeline?: string;
  /** --no-propagate. */
  propagate: boolean;
  deadLetters: string;
}

function parseScalar(raw: string): string | number | boolean {
  if (raw === 'true' || raw === 'false') return raw === 'true';
  const n = Number(raw);
  return raw !== '' && Number.isFinite(n) ? n : raw;
}

/** `a=1,b=x,c=500|503` → { a: 1, b: 'x', c: [500, 503] } */
export function parseKeyValues(text: string, flag: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const pair of text.split(',').filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`${flag} expects key=value pairs separated by commas (got '${pair}').`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    result[key] = value.includes('|') ? value.split('|').map(parseScalar) : parseScalar(value);
  }
  return result;
}

export function parseEndpoint(text: string): EndpointConfig {
  const match = /^([^=]+)=webhook:(https?:\/\/.+):(eventgrid|cloudevents)$/i.exec(text);
  if (!match?.[1] || !match[2] || !match[3]) {
    throw new Error(`--endpoint expects name=webhook:<url>:eventgrid|cloudevents (got '${text}').`);
  }
  return { name: match[1], kind: 'webhook', url: match[2], schema: match[3].toLowerCase() === 'eventgrid' ? 'EventGrid' : 'CloudEvents' };
}

export function parseLatency(text: string): Pick<FaultOptions, 'latencyMs' | 'jitterMs'> {
  const [ms, jitter] = text.split(':').map(Number);
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || (jitter !== undefined && (!Number.isFinite(jitter) || jitter < 0))) {
    throw new Error(`--latency expects ms or ms:jitter in milliseconds (got '${text}').`);
  }
  return { latencyMs: ms, jitterMs: jitter ?? 0 };
}

export function parseCliArgs(argv: string[]): CliOptions {
  const options: CliOptions = {
    help: false,
    emulator: { port: DEFAULT_PORT, certDir: DEFAULT_CERT_DIR },
    propagate: true,
    deadLetters: DEFAULT_PROPAGATION_DEAD_LETTERS,
  };
  const endpoints: EndpointConfig[] = [];
  let faults: Partial<FaultOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') {
      options.help = true;
      continue;
    }
    if (flag === '--no-propagate') {
      options.propagate = false;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value. Run with --help for usage.`);
    i++;
    switch (flag) {
      case '--port': {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535 (got '${value}').`);
        options.emulator.port = port;
        break;
      }
      case '--cert-dir':
        options.emulator.certDir = value;
        break;
      case '--ca-out':
        options.caOut = value;
        break;
      case '--import':
        options.emulator.importFile = value;
        break;
      case '--scenario':
        options.emulator.scenarioDir = value;
        break;
      case '--models':
        options.emulator.modelsDir = value;
        break;
      case '--storage':
        options.emulator.jobs = { ...options.emulator.jobs, storageConnectionString: value };
        break;
      case '--job-notifications':
        if (value !== 'lifecycle' && value !== 'none') throw new Error(`--job-notifications must be lifecycle or none (got '${value}').`);
        options.emulator.jobs = { ...options.emulator.jobs, notifications: value };
        break;
      case '--persist':
        options.emulator.persistFile = value;
        break;
      case '--limits':
        options.emulator.limits = parseKeyValues(value, '--limits') as Partial<ServiceLimitsOptions>;
        break;
      case '--query-lag':
        options.emulator.queryLag = parseQueryLag(value);
        break;
      case '--latency':
        faults = { ...faults, ...parseLatency(value) };
        break;
      case '--faults':
        faults = { ...faults, ...(parseKeyValues(value, '--faults') as Partial<FaultOptions>) };
        break;
      case '--endpoint':
        endpoints.push(parseEndpoint(value));
        break;
      case '--egress':
        options.emulator.egress = { ...options.emulator.egress, directory: value };
        break;
      case '--pipeline':
        options.pipeline = value;
        break;
      case '--dead-letters':
        options.deadLetters = value;
        break;
      case '--egress-kind':
        if (value !== 'eventHub' && value !== 'serviceBus')
          throw new Error(`--egress-kind must be eventHub or serviceBus (got '${value}').`);
        options.emulator.egress = { directory: '', ...options.emulator.egress, kind: value };
        break;
      default:
        throw new Error(`Unknown flag ${String(flag)}. Run with --help for usage.`);
    }
  }
  if (options.pipeline !== undefined && !options.propagate)
    throw new Error('--pipeline and --no-propagate contradict each other; drop one.');
  if (options.emulator.egress && !options.emulator.egress.directory)
    throw new Error('--egress-kind needs --egress <dir> (where the egress ndjson is written).');
  if (Object.keys(faults).length > 0) options.emulator.faults = faults;
  if (endpoints.length > 0) options.emulator.endpoints = endpoints;
  return options;
}
