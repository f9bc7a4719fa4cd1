#!/usr/bin/env node
// `npm run reconcile -- [--scenario <dir> | --adt-url <url>]`: computes every derived value from
// the current graph, level by level in the rules' dependency order, and writes what differs.
// Offline (no --adt-url) it seeds the scenario into a fresh in-process emulator first, so you can
// see what reconcile computes; against Azure it is the backfill to run after changing rules.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { DigitalTwinsClient } from '@azure/digital-twins-core';

import { FileDeadLetterSink } from '../../shared/deadLetter';
import { reconcileGraph, type ReconcileProgress, type ReconcileSummary } from '../../shared/rollup';
import { pipelineRollups } from '../../shared/worker';
import { commandLine } from '../cli';
import { startEmulator } from '../emulator/server';
import { createEmulatorClient } from '../emulator/trust';
import { azureAccess } from '../runner/adtAccess';
import { seedScenario } from '../runner/seed';
import { defaultScenarioDirectory, loadScenario } from '../scenario';

export const HELP = `Usage: npm run reconcile -- [--scenario <dir>] [--adt-url <url> [--emulator-ca <pem>]] [--config <pipeline.yaml>] [--dead-letters <dir>] [--quiet]

Computes every roll-up value from the current twin graph, level by level (thermostats → rooms →
floors → …), and writes the ones that differ. Run it after deploying, after adding or changing
roll-up rules, and whenever twins existed before the pipeline did.

  --scenario <dir>   rules (pipeline.yaml) and models of this scenario (default local/scenarios/building).
                     Without --adt-url the scenario is seeded into a fresh in-process emulator first.
  --adt-url <url>    reconcile a real instance, https://<name>.api.<region>.digitaltwins.azure.net
                     (DefaultAzureCredential; needs Azure Digital Twins Data Owner), or a running emulator's
                     URL with --emulator-ca.
  --emulator-ca <pem>  with --adt-url: the URL is an ADT emulator with this CA certificate — the file
                     npm run local -- --follow prints when it starts, or npm run emulator -- --ca-out <pem>.
                     Trusted for this command only; any bearer token is sent. (NODE_EXTRA_CA_CERTS=<pem>
                     works too, but the emulator then still needs a token DefaultAzureCredential can get.)
  --config <file>    the pipeline configuration holding the rules (default: the scenario's).
  --dead-letters <dir>  where permanent failures are written (default .local/dead-letters).
  --quiet            no progress lines.`;

export interface ReconcileCliOptions {
  help: boolean;
  quiet: boolean;
  scenario: string;
  adtUrl?: string;
  emulatorCa?: string;
  config?: string;
  deadLetters: string;
}

export function parseReconcileArgs(argv: string[]): ReconcileCliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      scenario: { type: 'string' },
      'adt-url': { type: 'string' },
      'emulator-ca': { type: 'string' },
      config: { type: 'string' },
      'dead-letters': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values['emulator-ca'] !== undefined && values['adt-url'] === undefined) {
    throw new Error(
      '--emulator-ca names the certificate of a running emulator; give its URL with --adt-url too (without --adt-url reconcile starts an emulator of its own).',
    );
  }
  return {
    help: values.help === true,
    quiet: values.quiet === true,
    scenario: values.scenario ?? defaultScenarioDirectory,
    deadLetters: values['dead-letters'] ?? join(process.cwd(), '.local', 'dead-letters'),
    ...(values['adt-url'] !== undefined && { adtUrl: values['adt-url'] }),
    ...(values['emulator-ca'] !== undefined && { emulatorCa: values['emulator-ca'] }),
    ...(values.config !== undefined && { config: values.config }),
  };
}

export function describeSummary(summary: ReconcileSummary): string {
  return (
    `Reconciled ${summary.parents} parent(s) over ${summary.levels} level(s) in ${(summary.durationMs / 1000).toFixed(1)} s: ` +
    `${summary.written} written, ${summary.unchanged} unchanged, ${summary.viaApi} re-read through the API (stale query copy), ` +
    `${summary.failures.length} failure(s), ${summary.queries} queries.`
  );
}

const progressLine = (p: ReconcileProgress): string => `level ${p.level}/${p.levels} ${p.rule}: ${p.done}/${p.total}`;

export async function runReconcileCli(options: ReconcileCliOptions, out: (line: string) => void): Promise<ReconcileSummary> {
  const scenario = loadScenario(options.scenario);
  const pipeline = pipelineRollups(options.config ?? scenario.pipelineConfigPath, scenario.models);
  const deadLetters = new FileDeadLetterSink(options.deadLetters);
  const onProgress = options.quiet
    ? undefined
    : (p: ReconcileProgress) => (p.done === p.total || p.done % 500 === 0) && out(progressLine(p));
  const log = { debug() {}, info() {}, warn: (m: unknown) => out(String(m)), error: (m: unknown) => out(String(m)) };
  if (options.adtUrl && options.emulatorCa !== undefined) {
    const access = azureAccess(options.adtUrl);
    let ca: string;
    try {
      ca = readFileSync(resolve(options.emulatorCa), 'utf8');
    } catch (error) {
      throw new Error(
        `--emulator-ca ${options.emulatorCa}: ${(error as Error).message}. npm run local -- --follow prints the file when it starts; npm run emulator -- --ca-out <pem> writes one.`,
      );
    }
    const { client, httpClient } = createEmulatorClient({ url: access.url, ca });
    try {
      return await reconcileGraph({ client, ...pipeline, models: scenario.models, deadLetters, log, ...(onProgress && { onProgress }) });
    } finally {
      httpClient.destroy();
    }
  }
  if (options.adtUrl) {
    const access = azureAccess(options.adtUrl);
    const client = new DigitalTwinsClient(access.url, access.credential);
    return reconcileGraph({ client, ...pipeline, models: scenario.models, deadLetters, log, ...(onProgress && { onProgress }) });
  }
  const emulator = await startEmulator({});
  const { client, httpClient } = createEmulatorClient(emulator);
  try {
    const seeded = await seedScenario(client, scenario);
    out(`Seeded ${scenario.name} into an in-process emulator: ${seeded.twins} twins, ${seeded.relationships} relationships.`);
    return await reconcileGraph({ client, ...pipeline, models: scenario.models, deadLetters, log, ...(onProgress && { onProgress }) });
  } finally {
    httpClient.destroy();
    await emulator.close();
  }
}

async function main(): Promise<number> {
  const options = commandLine(parseReconcileArgs, HELP);
  if (typeof options === 'number') return options;
  const summary = await runReconcileCli(options, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`${describeSummary(summary)}\n`);
  return summary.failures.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`reconcile failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
