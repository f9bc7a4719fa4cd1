// `npm run emulator -- …`: starts the emulator and keeps it running until SIGINT/SIGTERM.
import { writeFileSync } from 'node:fs';
import { HELP, parseCliArgs } from './cliArgs';
import { startEmulator } from './server';

async function main(): Promise<void> {
  const cli = parseCliArgs(process.argv.slice(2));
  if (cli.help) {
    console.log(HELP);
    return;
  }
  const emulator = await startEmulator(cli.emulator);
  if (cli.caOut) writeFileSync(cli.caOut, emulator.ca);
  console.log(`ADT emulator listening on ${emulator.url}`);
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    emulator.close().then(
      () => process.exit(0),
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
