// -h, --version and unknown flags, the same for every local command and benchmark.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { checkKnownFlags, standardArgv, versionLine } from '../../../local/cli';
import { commandLine } from '../../../local/cli/commandLine';

const repoRoot = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };

function captureExit(run: () => unknown): { code: number | undefined; stdout: string } {
  let stdout = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    throw Object.assign(new Error('exit'), { exitCode: code });
  }) as never);
  try {
    run();
    return { code: undefined, stdout };
  } catch (error) {
    return { code: (error as { exitCode?: number }).exitCode, stdout };
  } finally {
    write.mockRestore();
    exit.mockRestore();
  }
}

describe('standard flags', () => {
  it('--version prints the package name and version and ends with 0 before the command starts', () => {
    expect(versionLine()).toBe(`${pkg.name} ${pkg.version} (Node ${process.version})`);
    const { code, stdout } = captureExit(() => standardArgv(['--scenario', 'x', '--version']));
    expect(code).toBe(0);
    expect(stdout).toBe(`${versionLine()}\n`);
  });

  it('-h is --help; after "--" both are left to the command', () => {
    expect(standardArgv(['-h'])).toEqual(['--help']);
    expect(standardArgv(['--scenario', 'x'])).toEqual(['--scenario', 'x']);
    const { code } = captureExit(() => expect(standardArgv(['--', '-h', '--version'])).toEqual(['--', '-h', '--version']));
    expect(code).toBeUndefined();
  });

  it('commandLine (seed, reconcile, simulate, new-scenario) shows the help for -h', () => {
    const { stdout } = captureExit(() => expect(commandLine((argv) => ({ help: argv.includes('--help') }), 'HELP TEXT', ['-h'])).toBe(0));
    expect(stdout).toBe('HELP TEXT\n');
  });

  it('a hand-parsed benchmark refuses a flag it does not know, naming the known ones', () => {
    const known = { switches: ['--quick', '--json'], valued: ['--messages'] };
    expect(checkKnownFlags(['--quick', '--messages', '10'], known)).toBeUndefined();
    expect(checkKnownFlags(['--quik'], known)).toBe('Unknown flag --quik. Known: --json, --messages, --quick.');
    // A valued flag's value is not mistaken for a flag, and a stray value is.
    expect(checkKnownFlags(['--messages', '--json'], known)).toBeUndefined();
    expect(checkKnownFlags(['10'], known)).toMatch(/^Unknown flag 10\./);
  });

  it('every command entry goes through the standard start', () => {
    const entries = [
      'local/runner/cli.ts',
      'local/emulator/cli.ts',
      'local/map/cli.ts',
      'local/replay/cli.ts',
      'local/newScenario/cli.ts',
      'local/seed/cli.ts',
      'local/reconcile/cli.ts',
      'local/simulator/cli.ts',
      'bench/run.ts',
      'bench/buildingRun.ts',
      'bench/scaleOutRun.ts',
    ];
    for (const entry of entries) {
      const source = readFileSync(join(repoRoot, entry), 'utf8');
      expect([entry, /standardArgv\(|commandLine\(/.test(source)]).toEqual([entry, true]);
    }
  });
});
