#!/usr/bin/env node
// `npm run new-scenario -- <dir>`: a minimal working scenario to start your own from.
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { errorMessage } from '../../shared/common';
import { commandLine } from '../cli';
import { scaffoldScenario } from './scaffold';

export const HELP = `Usage: npm run new-scenario -- <dir>

Creates <dir> with a minimal scenario that runs as it is: models/ (a Room and a temperature sensor),
graph.ndjson (one room, two sensors), pipeline.yaml (an ingest rule and a roll-up), telemetry.ndjson
(four messages) and a README.md saying what to edit. Refuses a folder that exists and is not empty.

  -h, --help   this text`;

export interface NewScenarioOptions {
  help: boolean;
  directory: string;
}

export function parseNewScenarioArgs(argv: string[]): NewScenarioOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) return { help: true, directory: '' };
  if (positionals.length !== 1)
    throw new Error(
      positionals.length === 0
        ? 'Name the folder to create: npm run new-scenario -- <dir>'
        : `One folder only (got ${positionals.join(', ')}).`,
    );
  // npm runs scripts from the package root; INIT_CWD is where the user typed the command.
  return { help: false, directory: resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0] as string) };
}

/** The command, returning its exit code (0 created, 1 refused, 2 bad arguments). */
export function newScenarioCommand(argv: string[]): number {
  const options = commandLine(parseNewScenarioArgs, HELP, argv);
  if (typeof options === 'number') return options;
  try {
    const files = scaffoldScenario(options.directory);
    const inside = relative(process.cwd(), options.directory);
    const shown = inside === '' ? '.' : inside.startsWith('..') ? options.directory : inside;
    process.stdout.write(
      `Created ${options.directory}:\n${files.map((f) => `  ${f}`).join('\n')}\n\n` +
        `Next: read ${shown}/README.md, then\n  npm run local -- --scenario ${shown}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`new-scenario: ${errorMessage(error)}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = newScenarioCommand(process.argv.slice(2));
