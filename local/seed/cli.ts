#!/usr/bin/env node
// `npm run seed -- --adt-url <url>`: puts a scenario's models, twins and relationships on a real
// ADT instance and nothing else (no local ingest, unlike `npm run local -- --adt-url`), so a smoke
// test can then prove the deployed pipeline moves the twins. DefaultAzureCredential; the caller
// needs Azure Digital Twins Data Owner (main.bicep grants it to the deployer).
import { parseArgs } from 'node:util';

import { DigitalTwinsClient } from '@azure/digital-twins-core';
import { DefaultAzureCredential } from '@azure/identity';

import { commandLine } from '../cli';
import { azureAccess } from '../runner/adtAccess';
import { seedScenario } from '../runner/seed';
import { defaultScenarioDirectory, loadScenario } from '../scenario';

export const HELP = `Usage: npm run seed -- --adt-url https://<name>.api.<region>.digitaltwins.azure.net [--scenario <dir>]

Creates the scenario's missing models and writes its twins and relationships over the instance's
(default scenario: local/scenarios/building). Signs in with DefaultAzureCredential (az login, azd
auth login, …); you need Azure Digital Twins Data Owner on the instance.`;

export interface SeedOptions {
  help: boolean;
  adtUrl?: string;
  scenario: string;
}

export function parseSeedArgs(argv: string[]): SeedOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { 'adt-url': { type: 'string' }, scenario: { type: 'string' }, help: { type: 'boolean' } },
  });
  return { help: values.help === true, scenario: values.scenario ?? defaultScenarioDirectory, ...(values['adt-url'] ? { adtUrl: values['adt-url'] } : {}) };
}

async function main(): Promise<number> {
  const options = commandLine(parseSeedArgs, HELP);
  if (typeof options === 'number') return options;
  if (!options.adtUrl) {
    process.stderr.write(`--adt-url is required (azd env get-value ADT_SERVICE_URL).\n\n${HELP}\n`);
    return 2;
  }
  const access = azureAccess(options.adtUrl);
  const scenario = loadScenario(options.scenario);
  const client = new DigitalTwinsClient(access.url, new DefaultAzureCredential());
  const summary = await seedScenario(client, scenario);
  process.stdout.write(
    `Seeded ${access.url}: models ${summary.modelsCreated} created, ${summary.modelsPresent} present; ${summary.twins} twins, ${summary.relationships} relationships written.\n`,
  );
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`seed failed: ${(error as Error).message}\nCheck that you are signed in (az login) as a principal with Azure Digital Twins Data Owner on the instance.\n`);
      process.exit(1);
    },
  );
}
