// Flags of `npm run simulate` → what to generate and where to send it. Pure, unit tested.
import { parseArgs } from 'node:util';

export const HELP = `Usage: npm run simulate -- [flags]

Generates IoT Hub telemetry for the devices of a scenario (twins whose model has a profile in the
scenario's simulator.json). Same flags and seed → same messages.

  --scenario <dir>                 Scenario directory (default local/scenarios/building).
  --rate <n>                       Messages per second across all devices (default 5).
  --duration <s>                   Seconds of telemetry (default 60) …
  --count <n>                      … or an exact number of messages.
  --seed <n>                       Random seed (default 1).
  --start <iso>                    Enqueued time of the first message (default: 2024-05-01T08:00:00Z for
                                   --out, so the same flags and seed write the same file; now when live).
One target:
  --out <file.ndjson>              Write envelopes to a file (instantly; times are synthetic).
  --to <http://127.0.0.1:7300>     Send live to a runner started with: npm run local -- --follow
  --event-hub-namespace <ns> --event-hub-name <hub>
                                   Send live to an Event Hub with DefaultAzureCredential.
  --event-hub-connection-string <cs> [--event-hub-name <hub>]
                                   Send live with a connection string.
  Event Hub producers cannot forge IoT Hub system properties: the device id is sent as application
  property "deviceId" (ingest.options.deviceIdProperties, default [deviceId]).
  --help                           Show this text.`;

/** Where a file's synthetic timeline starts unless --start says otherwise: a fixed instant, so files are reproducible. */
export const defaultFileStart = new Date('2024-05-01T08:00:00.000Z');

/** The first message's enqueued time: --start, else the fixed default for a file, else now for a live target. */
export function startTime(options: Pick<SimulateOptions, 'start' | 'target'>, now: Date = new Date()): Date {
  return options.start ?? (options.target?.kind === 'file' ? defaultFileStart : now);
}

export type SimulateTarget =
  | { kind: 'file'; path: string }
  | { kind: 'runner'; url: string }
  | { kind: 'eventHub'; namespace?: string; connectionString?: string; eventHubName?: string };

export interface SimulateOptions {
  help: boolean;
  scenario?: string;
  rate: number;
  count: number;
  seed: number;
  start?: Date;
  target?: SimulateTarget;
}

function positive(value: string | undefined, flag: string, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new Error(`${flag} must be a positive ${integer ? 'integer' : 'number'} (got "${value}").`);
  return n;
}

export function parseSimulateArgs(argv: string[]): SimulateOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      scenario: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      out: { type: 'string' },
      to: { type: 'string' },
      'event-hub-namespace': { type: 'string' },
      'event-hub-name': { type: 'string' },
      'event-hub-connection-string': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const rate = positive(values.rate, '--rate', 5);
  if (values.count !== undefined && values.duration !== undefined) throw new Error('Give --count or --duration, not both.');
  const count =
    values.count !== undefined
      ? positive(values.count, '--count', 0, true)
      : Math.max(1, Math.round(rate * positive(values.duration, '--duration', 60)));
  const seedText = values.seed ?? '1';
  const seed = Number(seedText);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer (got "${seedText}").`);
  let start: Date | undefined;
  if (values.start !== undefined) {
    start = new Date(values.start);
    if (Number.isNaN(start.getTime())) throw new Error(`--start must be an ISO 8601 date-time (got "${values.start}").`);
  }
  const eventHub = values['event-hub-namespace'] !== undefined || values['event-hub-connection-string'] !== undefined;
  const targets = [values.out !== undefined, values.to !== undefined, eventHub].filter(Boolean).length;
  if (targets > 1) throw new Error('Choose one target: --out, --to or an Event Hub.');
  let target: SimulateTarget | undefined;
  if (values.out !== undefined) target = { kind: 'file', path: values.out };
  if (values.to !== undefined) target = { kind: 'runner', url: values.to };
  if (eventHub) {
    target = {
      kind: 'eventHub',
      ...(values['event-hub-namespace'] ? { namespace: values['event-hub-namespace'] } : {}),
      ...(values['event-hub-connection-string'] ? { connectionString: values['event-hub-connection-string'] } : {}),
      ...(values['event-hub-name'] ? { eventHubName: values['event-hub-name'] } : {}),
    };
  }
  return {
    help: values.help === true,
    ...(values.scenario ? { scenario: values.scenario } : {}),
    rate,
    count,
    seed,
    ...(start ? { start } : {}),
    ...(target ? { target } : {}),
  };
}
