#!/usr/bin/env node
// `npm run replay-dead-letters`: see local/replay/README.md.
import { errorMessage } from '../../shared/common';
import { standardArgv } from '../cli';
import { runReplayCli } from './runReplay';

// Exit once output is flushed: core-http arms a request timer it never clears, and the identity
// library may leave timers too, which would keep the process alive after the replay is done.
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

// npm runs scripts from the package root; INIT_CWD is where the user typed the command.
runReplayCli(standardArgv(process.argv.slice(2)), {
  env: process.env,
  cwd: process.env.INIT_CWD ?? process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
}).then(exit, (error: unknown) => {
  process.stderr.write(`npm run replay-dead-letters failed: ${errorMessage(error)}\n`);
  exit(1);
});
