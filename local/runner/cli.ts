#!/usr/bin/env node
// `npm run local`: the offline loop from the command line. The fake Functions core must be in place
// before anything loads @azure/functions, so it is installed first.
import { installFakeFunctionsCore } from './functionsHost';
installFakeFunctionsCore();

import { onInterrupt, standardArgv } from '../cli';
import { HELP, parseCliArgs } from './cliArgs';

async function main(): Promise<number> {
  let cli;
  try {
    cli = parseCliArgs(standardArgv(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  // Loaded only for a run: the loop (emulator, SDK, graph server) takes over a second to load, and
  // --help or a bad flag should answer at once.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { runScenario } = require('./runScenario') as typeof import('./runScenario');
  const { renderSummary } = require('./report') as typeof import('./report');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const abort = new AbortController();
  onInterrupt(() => abort.abort());
  const result = await runScenario({
    ...cli.run,
    signal: abort.signal,
    hookFunctionsCore: true,
    ...(cli.quiet || cli.json ? {} : { progress: process.stderr }),
    onEmulator: ({ url, caFile }) =>
      process.stderr.write(
        `ADT emulator: ${url} (CA certificate: ${caFile}; any bearer token). Reach it from another terminal with e.g.\n` +
          `  npm run reconcile -- --adt-url ${url} --emulator-ca ${caFile}\n` +
          `  npm run replay-dead-letters -- --from <dead letters> --adt-url ${url} --emulator-ca ${caFile}\n` +
          `  NODE_EXTRA_CA_CERTS=${caFile} node my-sdk-script.js\n`,
      ),
    onIngress: (url) =>
      process.stderr.write(
        `Accepting telemetry at ${url}/telemetry (ndjson envelopes) and ${url}/api/telemetry (the HTTP ingest function); metrics at ${url}/metrics; Ctrl+C to finish.\n`,
      ),
    onGraph: (url) => process.stderr.write(`Twin graph (live): ${url}\n`),
    onFunctionLog: (fn, level, message) => process.stderr.write(`[${fn}] ${level}: ${message}\n`),
    // On a terminal the progress line is rewritten in place: clear it so the soak line stands alone.
    onSoakReport: (line) => process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[2K' : ''}${line}\n`),
  });
  process.stdout.write(cli.json ? `${JSON.stringify(result.summary, null, 2)}\n` : renderSummary(result));
  return result.summary.exitCode;
}

// Exit explicitly once output is flushed: core-http arms a 20 s timer per request (its request
// timeout) and never clears it, which would keep the process alive long after the run is done.
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main().then(exit, (error: unknown) => {
  process.stderr.write(`npm run local failed: ${error instanceof Error ? error.message : String(error)}\n`);
  exit(1);
});
