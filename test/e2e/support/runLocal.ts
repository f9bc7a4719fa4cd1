// Runs the local loop in-process for a test. Each run gets a fresh module registry, as a fresh
// worker process would: the function app keeps process-wide state (ADT client, caches) built on
// first use. The test file must mock @azure/functions-core with the runner's fake (see mockCore).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { RunOptions, RunResult } from '../../../local/runner/runScenario';

export const repoRoot = join(__dirname, '..', '..', '..');
export const buildingScenario = join(repoRoot, 'local', 'scenarios', 'building');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

export async function runLocal(options: RunOptions = {}): Promise<RunResult> {
  jest.resetModules();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runScenario } = require('../../../local/runner/runScenario') as typeof import('../../../local/runner/runScenario');
  return runScenario({
    hookFunctionsCore: false,
    folderDeadLettersOnly: true,
    deadLetterDirectory: tempDir('dead-letters'),
    maxRetryDelayMs: 20,
    eventGridDelivery: { maxAttempts: 5, initialDelayMs: 10, maxDelayMs: 100 },
    ...options,
  });
}
