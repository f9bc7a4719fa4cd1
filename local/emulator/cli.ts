// `npm run emulator -- …`: starts the emulator and keeps it running until SIGINT/SIGTERM.
import { writeFileSync } from 'node:fs';

import { standardArgv } from '../cli';
import { type CliOptions, HELP, parseCliArgs } from './cliArgs';
import { type EmulatorPropagation, scenarioPipelineFile, startPropagation } from './propagation';
import { type EmulatorHandle, startEmulator } from './server';

/** The pipeline file to propagate with: --pipeline, else the scenario's; none with --no-propagate. */
export function propagationPipeline(cli: Pick<CliOptions, 'pipeline' | 'propagate' | 'emulator'>): string | undefined {
  if (!cli.propagate) return undefined;
  return cli.pipeline ?? (cli.emulator.scenarioDir === undefined ? undefined : scenarioPipelineFile(cli.emulator.scenarioDir));
}

function propagationLine(propagation: EmulatorPropagation | undefined, cli: CliOptions): string {
  if (!propagation)
    return `Roll-ups: off (${cli.propagate ? 'no pipeline file: pass --pipeline <file> or a --scenario with pipeline.yaml' : '--no-propagate'})`;
  if (propagation.rules === 0) return `Roll-ups: ${propagation.pipelineFile} has no roll-up rules; nothing to propagate`;
  return `Roll-ups: ${propagation.rules} rule(s) of ${propagation.pipelineFile} propagate twin changes to parents; failures → ${propagation.deadLetterDirectory}`;
}

/** The start-up lines: the URL first (scripts wait for it), then how to trust the CA, then what was loaded. */
function startupReport(emulator: EmulatorHandle): string[] {
  const lines = [`ADT emulator listening on ${emulator.url}`];
  if (emulator.caFile !== undefined) {
    lines.push(`CA certificate: ${emulator.caFile}`);
    lines.push(`  curl --cacert ${emulator.caFile} -H 'Authorization: Bearer x' ${emulator.url}/models`);
    lines.push(`  NODE_EXTRA_CA_CERTS=${emulator.caFile} node my-sdk-script.js   (any bearer token is accepted)`);
  }
  const { models, imports } = emulator.loaded;
  if (models)
    lines.push(`Models: ${models.uploaded} uploaded from ${models.dir} in ${models.calls} call(s), ${models.present} already present`);
  for (const i of imports) lines.push(`Imported ${i.file}: ${i.models} models, ${i.twins} twins, ${i.relationships} relationships`);
  if (emulator.egress)
    lines.push(`Egress: route '${emulator.egress.route}' → endpoint '${emulator.egress.endpoint}' → ${emulator.egress.file}`);
  return lines;
}

/** Warnings and errors of the propagator (a dead-lettered recompute, a rule that does not fit the models). */
const propagationLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...args: unknown[]) => console.warn('propagation:', ...args),
  error: (...args: unknown[]) => console.error('propagation:', ...args),
};

async function main(): Promise<void> {
  const cli = parseCliArgs(standardArgv(process.argv.slice(2)));
  if (cli.help) {
    console.log(HELP);
    return;
  }
  const emulator = await startEmulator(cli.emulator);
  if (cli.caOut) writeFileSync(cli.caOut, emulator.ca);
  const pipelineFile = propagationPipeline(cli);
  let propagation: EmulatorPropagation | undefined;
  try {
    propagation =
      pipelineFile === undefined
        ? undefined
        : await startPropagation(emulator, { pipelineFile, deadLetterDirectory: cli.deadLetters, log: propagationLog });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  for (const line of startupReport(emulator)) console.log(line);
  console.log(propagationLine(propagation, cli));
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    propagation?.close();
    emulator.close().then(
      () => {
        console.log('ADT emulator stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error(`ADT emulator: error while closing: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`ADT emulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
