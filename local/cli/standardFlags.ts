// What every local command accepts whatever its own flags: `-h` (the same as --help) and
// `--version` (prints the project's name and version, exit 0, before anything starts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { projectRoot } from '../scenario/projectRoot';

/** `adt-twin-pipeline 0.1.0 (Node v22.…)`: what a bug report needs. */
export function versionLine(): string {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version} (Node ${process.version})`;
}

/**
 * The command's arguments with `-h` spelled `--help`. On `--version` it prints the version and
 * ends the process with 0: nothing has started yet, so there is nothing to clean up.
 */
export function standardArgv(argv: string[]): string[] {
  const end = argv.indexOf('--');
  const own = end < 0 ? argv : argv.slice(0, end);
  if (own.includes('--version')) {
    process.stdout.write(`${versionLine()}\n`);
    process.exit(0);
  }
  return argv.map((arg, i) => (arg === '-h' && (end < 0 || i < end) ? '--help' : arg));
}

/**
 * Refuses flags a hand-parsed command does not know (the benchmarks read process.argv directly):
 * a typo must not silently run the default. `valued` flags take the next argument.
 */
export function checkKnownFlags(
  argv: readonly string[],
  known: { switches: readonly string[]; valued: readonly string[] },
): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (known.valued.includes(arg)) {
      i += 1;
      continue;
    }
    if (!known.switches.includes(arg)) return `Unknown flag ${arg}. Known: ${[...known.switches, ...known.valued].sort().join(', ')}.`;
  }
  return undefined;
}
