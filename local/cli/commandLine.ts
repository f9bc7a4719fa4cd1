// The start of every local command: parse the flags, print the help on --help (exit 0), or the
// problem and the help on a bad flag (exit 2). Commands differ in their flags, not in this.
import { errorMessage } from '../../shared/common';
import { standardArgv } from './standardFlags';

/** The parsed options, or the exit code when the command must stop here. */
export function commandLine<T extends { help: boolean }>(
  parse: (argv: string[]) => T,
  help: string,
  argv: string[] = process.argv.slice(2),
): T | number {
  let options: T;
  try {
    options = parse(standardArgv(argv));
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n\n${help}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${help}\n`);
    return 0;
  }
  return options;
}
