// Runs a scripts/*.sh file with fake az, azd, curl, npm and sleep on PATH (test/infra/support/fake-az.cjs)
// and returns every call they received, so tests can check commands and the subscription used.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { repoRoot } from './compiledTemplates';

export interface ToolCall {
  tool: 'az' | 'azd' | 'curl' | 'npm' | 'sleep';
  args: string[];
}

export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: ToolCall[];
  /** What the script passed to `az deployment group create --parameters @file`, if anything. */
  deploymentParameters?: Record<string, { value: string }>;
}

export class ScriptHarness {
  readonly dir = mkdtempSync(join(tmpdir(), 'script-harness-'));

  /** Installs the fakes (sleep too: waits are recorded, not waited). */
  constructor(private readonly tools: ReadonlyArray<ToolCall['tool']> = ['az', 'azd', 'curl', 'npm', 'sleep']) {
    const fake = join(__dirname, 'fake-az.cjs');
    for (const tool of this.tools) {
      writeFileSync(join(this.dir, tool), `#!/bin/sh\nFAKE_TOOL=${tool} exec node "${fake}" "$@"\n`);
      chmodSync(join(this.dir, tool), 0o755);
    }
  }

  run(script: string, args: string[], env: Record<string, string>): ScriptRun {
    const log = join(this.dir, 'calls.jsonl');
    for (const suffix of ['', '.keys', '.deploy', '.curl-PUT', '.curl-GET', '.parameters.json']) rmSync(`${log}${suffix}`, { force: true });
    writeFileSync(log, '');
    // Only the fakes and the system tools: a real az/azd on the machine must never be reached.
    const nodeDir = process.execPath.replace(/\/node$/, '');
    const result = spawnSync('bash', [join(repoRoot, 'scripts', script), ...args], {
      encoding: 'utf8',
      env: { PATH: `${this.dir}:${nodeDir}:/usr/bin:/bin`, HOME: this.dir, FAKE_LOG: log, ...env },
    });
    const calls = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ToolCall);
    const paramsFile = `${log}.parameters.json`;
    const deploymentParameters = existsSync(paramsFile)
      ? (JSON.parse(readFileSync(paramsFile, 'utf8')) as { parameters: Record<string, { value: string }> }).parameters
      : undefined;
    return {
      status: result.status,
      stdout: result.stdout,
      stderr: result.stderr,
      calls,
      ...(deploymentParameters ? { deploymentParameters } : {}),
    };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const argOf = (call: ToolCall, flag: string): string | undefined =>
  call.args.includes(flag) ? call.args[call.args.indexOf(flag) + 1] : undefined;
/** The command words before the first flag, e.g. 'functionapp keys list'. */
export const azCommand = (call: ToolCall): string => {
  const firstFlag = call.args.findIndex((a) => a.startsWith('-'));
  return call.args.slice(0, firstFlag === -1 ? undefined : firstFlag).join(' ');
};
