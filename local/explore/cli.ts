#!/usr/bin/env node
// `npm run explore`: the twin graph as an explorer, for the local loop (default) or an instance
// (--adt-url). The fake Functions core must be in place before anything loads @azure/functions (the
// local loop loads the function app), so it is installed first.
import { installFakeFunctionsCore } from '../runner/functionsHost';
installFakeFunctionsCore();

import { commandLine, onInterrupt } from '../cli';
import { renderSummary } from '../runner/report';
import { runScenario } from '../runner/runScenario';
import { type ExploreOptions, HELP, parseExploreArgs } from './cliArgs';
import { exploreInstance } from './explore';

function writes(options: ExploreOptions): string {
  return options.allowWrites ? 'writes allowed' : 'read-only; --allow-writes to edit';
}

async function exploreAnInstance(options: ExploreOptions & { adtUrl: string }): Promise<number> {
  const explorer = await exploreInstance({
    adtUrl: options.adtUrl,
    ...(options.ca !== undefined && { ca: options.ca }),
    allowWrites: options.allowWrites,
    port: options.port,
  });
  process.stderr.write(`Explorer: ${explorer.url} (${explorer.target}, ${writes(options)}); Ctrl+C to stop.\n`);
  await new Promise<void>((done) => onInterrupt(done, () => undefined));
  await explorer.close();
  return 0;
}

async function exploreTheLoop(options: ExploreOptions): Promise<number> {
  const abort = new AbortController();
  onInterrupt(() => abort.abort());
  const result = await runScenario({
    ...(options.scenario !== undefined && { scenario: options.scenario }),
    follow: true,
    ingressPort: 0,
    graphPort: options.port,
    allowWrites: options.allowWrites,
    signal: abort.signal,
    hookFunctionsCore: true,
    onGraph: (url) => process.stderr.write(`Explorer: ${url} (the local loop's embedded emulator, ${writes(options)}); Ctrl+C to stop.\n`),
    onFunctionLog: (fn, level, message) => process.stderr.write(`[${fn}] ${level}: ${message}\n`),
  });
  process.stdout.write(renderSummary(result));
  return result.summary.exitCode;
}

async function main(): Promise<number> {
  const options = commandLine(parseExploreArgs, HELP);
  if (typeof options === 'number') return options;
  return options.adtUrl !== undefined ? exploreAnInstance({ ...options, adtUrl: options.adtUrl }) : exploreTheLoop(options);
}

// Exit explicitly once output is flushed: core-http arms a 20 s timer per request and never clears it.
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

main().then(exit, (error: unknown) => {
  process.stderr.write(`npm run explore failed: ${error instanceof Error ? error.message : String(error)}\n`);
  exit(1);
});
