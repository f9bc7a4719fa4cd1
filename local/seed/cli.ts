#!/usr/bin/env node
// `npm run seed -- --adt-url <url>`: puts a scenario's models, twins and relationships on a real
// ADT instance and nothing else (no local ingest, unlike `npm run local -- --adt-url`), so a smoke
// test can then prove the deployed pipeline moves the twins. DefaultAzureCredential; the caller
// needs Azure Digital Twins Data Owner (main.bicep grants it to the deployer). `--bulk` goes through
// one import job (Jobs API) instead of one request per twin: docs/BULK.md.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { DigitalTwinsClient } from '@azure/digital-twins-core';

import { commandLine } from '../cli';
import { stubCredential, TrustingHttpClient } from '../emulator/trust';
import { type AdtAccess, azureAccess } from '../runner/adtAccess';
import { defaultScenarioDirectory, loadScenario } from '../scenario';
import { type BulkChoice, bulkSummary, runBulkSeed, seedScenario } from './run';
import { DEFAULT_IMPORT_CONTAINER, DEFAULT_LOG_CONTAINER } from './storage';

export const HELP = `Usage: npm run seed -- --adt-url https://<name>.api.<region>.digitaltwins.azure.net [--scenario <dir>]
       npm run seed -- --adt-url <url> --bulk --storage <blob endpoint | connection string> [--portfolio <twins>]

Creates the scenario's missing models and writes its twins and relationships over the instance's
(default scenario: local/scenarios/building). Signs in with DefaultAzureCredential (az login, azd
auth login, …); you need Azure Digital Twins Data Owner on the instance.

Bulk (ADT's Import Jobs API, docs/BULK.md): the graph is written as an import file (ndjson) to a blob,
one import job loads it, and the job's log is read back; failures print the log's errors.
  --bulk                   Seed through an import job instead of one request per twin.
  --portfolio <twins>      Bulk-seed a generated portfolio of exactly <twins> twins instead of the
                           scenario's graph: buildings → 10 floors → 10 rooms → 3 sensors per room,
                           with the building scenario's models (implies --bulk).
  --storage <spec>         Where the import file goes: the account's blob endpoint
                           (https://<account>.blob.core.windows.net, signed in with
                           DefaultAzureCredential; azd env get-value STORAGE_BLOB_ENDPOINT) or a
                           connection string (Azurite: "UseDevelopmentStorage=true"). The ADT
                           instance reads and writes the blobs with its own identity.
  --container <name>       Container for the import file (default ${DEFAULT_IMPORT_CONTAINER}).
  --log-container <name>   Container ADT writes the job log to (default ${DEFAULT_LOG_CONTAINER}).
  --job-id <id>            Import job id (default import-job-<uuid>).
  --wait-minutes <n>       Stop waiting for the job after n minutes (default 120; it keeps running).
  --emulator-ca <pem>      The --adt-url is the local emulator: trust its certificate (npm run
                           emulator -- --ca-out <pem>) and send its stub token.
It prints the counts, the upload and job durations, and the job log's address.`;

export interface SeedOptions {
  help: boolean;
  adtUrl?: string;
  scenario: string;
  bulk?: BulkChoice;
  emulatorCa?: string;
}

function wholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be a whole number of at least ${min} (got '${value}').`);
  return n;
}

export function parseSeedArgs(argv: string[]): SeedOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'adt-url': { type: 'string' },
      scenario: { type: 'string' },
      help: { type: 'boolean' },
      bulk: { type: 'boolean' },
      portfolio: { type: 'string' },
      storage: { type: 'string' },
      container: { type: 'string' },
      'log-container': { type: 'string' },
      'job-id': { type: 'string' },
      'wait-minutes': { type: 'string' },
      'emulator-ca': { type: 'string' },
    },
  });
  const portfolio = wholeNumber('--portfolio', values.portfolio, 1);
  const waitMinutes = wholeNumber('--wait-minutes', values['wait-minutes'], 1);
  const bulk = values.bulk === true || portfolio !== undefined;
  const bulkOnly = ['storage', 'container', 'log-container', 'job-id', 'wait-minutes'] as const;
  if (!bulk) {
    const stray = bulkOnly.filter((flag) => values[flag] !== undefined);
    if (stray.length > 0) throw new Error(`--${stray.join(', --')} only apply to a bulk seed: add --bulk (or --portfolio <twins>).`);
  }
  if (bulk && !values.storage)
    throw new Error(
      '--bulk needs --storage <blob endpoint | connection string>: where the import file goes (azd env get-value STORAGE_BLOB_ENDPOINT; offline "UseDevelopmentStorage=true").',
    );
  const choice: BulkChoice | undefined = bulk
    ? {
        storage: values.storage as string,
        ...(values.container ? { container: values.container } : {}),
        ...(values['log-container'] ? { logContainer: values['log-container'] } : {}),
        ...(portfolio !== undefined ? { portfolio } : {}),
        ...(values['job-id'] ? { jobId: values['job-id'] } : {}),
        wait: { timeoutMs: (waitMinutes ?? 120) * 60_000 },
      }
    : undefined;
  return {
    help: values.help === true,
    scenario: values.scenario ?? defaultScenarioDirectory,
    ...(values['adt-url'] ? { adtUrl: values['adt-url'] } : {}),
    ...(choice ? { bulk: choice } : {}),
    ...(values['emulator-ca'] ? { emulatorCa: values['emulator-ca'] } : {}),
  };
}

export function accessFor(options: SeedOptions & { adtUrl: string }): AdtAccess {
  if (!options.emulatorCa) return azureAccess(options.adtUrl);
  return {
    url: options.adtUrl.replace(/\/+$/, ''),
    credential: stubCredential,
    httpClient: new TrustingHttpClient(readFileSync(options.emulatorCa, 'utf8')),
    kind: 'emulator',
  };
}

async function main(): Promise<number> {
  const options = commandLine(parseSeedArgs, HELP);
  if (typeof options === 'number') return options;
  if (!options.adtUrl) {
    process.stderr.write(`--adt-url is required (azd env get-value ADT_SERVICE_URL).\n\n${HELP}\n`);
    return 2;
  }
  const access = accessFor({ ...options, adtUrl: options.adtUrl });
  const scenario = loadScenario(options.scenario);
  const client = new DigitalTwinsClient(access.url, access.credential, access.httpClient ? { httpClient: access.httpClient } : {});
  try {
    if (options.bulk) {
      process.stdout.write(`${bulkSummary(access.url, await runBulkSeed(client, access, scenario, options.bulk))}\n`);
      return 0;
    }
    const summary = await seedScenario(client, scenario);
    process.stdout.write(
      `Seeded ${access.url}: models ${summary.modelsCreated} created, ${summary.modelsPresent} present; ${summary.twins} twins, ${summary.relationships} relationships written.\n`,
    );
    return 0;
  } finally {
    access.httpClient?.destroy?.();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `seed failed: ${(error as Error).message}\nCheck that you are signed in (az login) as a principal with Azure Digital Twins Data Owner on the instance (and, for --bulk, Storage Blob Data Contributor on the import container).\n`,
      );
      process.exit(1);
    },
  );
}
