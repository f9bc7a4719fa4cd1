// `npm run emulator -- …`: starts the emulator and keeps it running until SIGINT/SIGTERM.
import { writeFileSync } from 'node:fs';

import { standardArgv } from '../cli';
import { HELP, parseCliArgs } from './cliArgs';
import { type EmulatorHandle, startEmulator } from './server';

/** The start-up lines: the URL first (scripts wait for it), then how to trust the CA, then what was loaded. */
function startupReport(emulator: EmulatorHandle): string[] {
  const lines = [`ADT emulator listening on ${emulator.url}`];
  if (emulator.caFile !== undefined) {
    lines.push(`CA certificate: ${emulator.caFile}`);
    lines.push(`  curl --cacert ${emulator.caFile} -H 'Authorization: Bearer x' ${emulator.url}/models`);
    lines.push(`  NODE_EXTRA_CA_CERTS=${emulator.caFile} node my-sdk-script.js   (any bearer token is accepted)`);
  }
  const { models, imports } = emulator.loaded;
  if (models) lines.push(`Models: ${models.uploaded} uploaded from ${models.dir} in ${models.calls} call(s), ${models.present} already present`);
  for (const i of imports) lines.push(`Imported ${i.file}: ${i.models} models, ${i.twins} twins, ${i.relationships} relationships`);
  if (emulator.egress) lines.push(`Egress: route '${emulator.egress.route}' → endpoint '${emulator.egress.endpoint}' → ${emulator.egress.file}`);
  return lines;
}

async function main(): Promise<void> {
  const cli = parseCliArgs(standardArgv(process.argv.slice(2)));
  if (cli.help) {
    console.log(HELP);
    return;
  }
  const emulator = await startEmulator(cli.emulator);
  if (cli.caOut) writeFileSync(cli.caOut, emulator.ca);
  for (const line of startupReport(emulator)) console.log(line);
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
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

main().catch((error: unknown) => {
  console.error(`ADT emulator failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
