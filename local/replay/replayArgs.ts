// Flags of `npm run replay-dead-letters` → options. Pure (no I/O), so it is tested without starting anything.
import { parseArgs } from 'node:util';

export const HELP = `Usage: npm run replay-dead-letters -- --from <folder | blob:<container> | https://<account>.blob.core.windows.net/<container>> [flags]

Re-ingests dead letters through the ingest pipeline with the current configuration, partition by
partition in sequence order. A document whose message is now applied or filtered is removed; one that
is refused again stays, rewritten with the new reason and its earlier reasons under "replays".

  --from <source>            Where the dead letters are:
                               <folder>                   a folder (npm run local's --dead-letters, DEAD_LETTER_DIRECTORY)
                               blob:<container>           a container, with --connection-string or the DeadLetterStorage
                                                          setting (or DeadLetterStorage__blobServiceUri + DefaultAzureCredential)
                               https://<account>.blob.core.windows.net/<container>
                                                          a container reached with DefaultAzureCredential
  --reason <code>            Only documents with this reason code; repeat or comma-separate (e.g. unknown-twin,out-of-range).
  --dry-run                  Plan only: decode and map with the current configuration and report what would happen.
                             Nothing is written to ADT or to the store (ADT is read: models, twin-id queries).
  --adt-url <https://…>      ADT instance (default: the ADT_SERVICE_URL setting). DefaultAzureCredential unless --emulator-ca.
  --emulator-ca <pem>        The ADT emulator's certificate (npm run emulator -- --ca-out <pem>, or the file npm run local
                             -- --follow prints when it starts, with its URL for --adt-url): trust it, send any token.
  --config <file>            Pipeline configuration to replay with (default: the PIPELINE_CONFIG_PATH setting, else the defaults).
  --connection-string <cs>   Storage connection string for blob:<container> (default: the DeadLetterStorage setting).
  --batch-size <n>           Dead letters per replayed batch (default 100).
  --quiet                    No progress bar.
  --json                     Print the report (every document's outcome) as JSON.
  --help                     Show this text.

Exit code: 0 when every selected document was replayed (or planned); 1 when some could not be
(unreadable document, ADT unavailable, …: they are left untouched and listed); 2 for bad flags.`;

export type ReplaySource =
  | { kind: 'folder'; directory: string }
  /** `connectionString` absent: taken from the settings (connection string, else account URL + credential). */
  | { kind: 'blob'; container: string; connectionString?: string }
  | { kind: 'blob-url'; blobServiceUri: string; container: string };

export interface ReplayCliOptions {
  help: boolean;
  source?: ReplaySource;
  reasons: string[];
  dryRun: boolean;
  adtUrl?: string;
  emulatorCa?: string;
  config?: string;
  batchSize: number;
  quiet: boolean;
  json: boolean;
}

const containerName = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/;

function checkedContainer(name: string, from: string): string {
  if (!containerName.test(name))
    throw new Error(`--from ${from}: "${name}" is not a valid container name (3-63 lower-case letters, digits and single hyphens).`);
  return name;
}

/** `--from`: a URL is a container URL, `blob:` names a container, anything else is a folder. */
export function parseSource(from: string, connectionString: string | undefined): ReplaySource {
  if (/^https?:\/\//i.test(from)) {
    if (connectionString !== undefined)
      throw new Error('--connection-string goes with --from blob:<container>; a container URL is reached with DefaultAzureCredential.');
    const url = new URL(from);
    const segments = url.pathname.split('/').filter(Boolean);
    const container = segments.pop();
    if (!container)
      throw new Error(`--from ${from}: the URL must end with the container, e.g. https://<account>.blob.core.windows.net/dead-letters.`);
    return {
      kind: 'blob-url',
      blobServiceUri: `${url.origin}${segments.length > 0 ? `/${segments.join('/')}` : ''}`,
      container: checkedContainer(container, from),
    };
  }
  if (from.startsWith('blob:')) {
    return {
      kind: 'blob',
      container: checkedContainer(from.slice('blob:'.length), from),
      ...(connectionString !== undefined && { connectionString }),
    };
  }
  if (connectionString !== undefined) throw new Error('--connection-string goes with --from blob:<container>, not with a folder.');
  if (from.trim() === '') throw new Error('--from needs a folder, blob:<container> or a container URL.');
  return { kind: 'folder', directory: from };
}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer (got "${value}").`);
  return n;
}

const reasonCode = /^[a-z0-9][a-z0-9-]*$/;

export function parseReplayArgs(argv: string[]): ReplayCliOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      reason: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      'adt-url': { type: 'string' },
      'emulator-ca': { type: 'string' },
      config: { type: 'string' },
      'connection-string': { type: 'string' },
      'batch-size': { type: 'string' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (positionals.length > 0)
    throw new Error(`Unexpected argument "${positionals[0]}"; every option is a --flag (did you mean --from ${positionals[0]}?).`);
  const reasons = (values.reason ?? [])
    .flatMap((r) => r.split(','))
    .map((r) => r.trim())
    .filter(Boolean);
  const bad = reasons.find((r) => !reasonCode.test(r));
  if (bad !== undefined)
    throw new Error(
      `--reason "${bad}" is not a reason code; codes look like unknown-twin or out-of-range (see shared/config/CONFIGURATION.md).`,
    );
  const help = values.help === true;
  if (!help && values.from === undefined)
    throw new Error('--from is required: the dead-letter folder, blob:<container> or a container URL.');
  return {
    help,
    ...(values.from !== undefined && { source: parseSource(values.from, values['connection-string']) }),
    reasons: [...new Set(reasons)],
    dryRun: values['dry-run'] === true,
    ...(values['adt-url'] !== undefined && { adtUrl: values['adt-url'] }),
    ...(values['emulator-ca'] !== undefined && { emulatorCa: values['emulator-ca'] }),
    ...(values.config !== undefined && { config: values.config }),
    batchSize: positiveInt(values['batch-size'], '--batch-size', 100),
    quiet: values.quiet === true,
    json: values.json === true,
  };
}
