// Controls for the fault matrix: its checks must fail when something is lost or a promise is left
// rejected, or the matrix's green would prove nothing.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { tempDir } from '../support/runLocal';
import { brokenMessageIds, expectNothingLost, matrixTelemetry, runCase } from './matrix';

jest.mock('@azure/functions-core', () => jest.requireActual('../../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const telemetry = matrixTelemetry();

it('a dead-letter store that never comes back gives batches up: the accounting and the checks say so', async () => {
  const folder = tempDir('dead-letters-gone');
  const run = await runCase(telemetry, {
    deadLetterDirectory: folder,
    // The folder becomes a file just before the feed: every dead-letter write fails, every retry too.
    beforeFeed: () => {
      rmSync(folder, { recursive: true });
      writeFileSync(folder, 'not a directory');
    },
  });
  const { summary } = run.result;
  expect(summary.exitCode).toBe(1);
  expect(summary.accounting.balanced).toBe(false);
  // Every message of a given-up batch is named, the broken ones among them.
  expect(summary.accounting.givenUp).toEqual(expect.arrayContaining(brokenMessageIds));
  expect(summary.accounting.received + summary.accounting.givenUp.length).toBe(summary.accounting.fed);
  expect(() => expectNothingLost(run, run)).toThrow();
}, 180_000);

it('a promise left rejected fails the jest test it happens in (what the matrix relies on for "no unhandled rejection")', () => {
  const dir = tempDir('unhandled-control');
  writeFileSync(
    join(dir, 'stray.test.js'),
    "it('leaves a rejection', async () => { void Promise.reject(new Error('left unhandled on purpose')); await new Promise((r) => setTimeout(r, 50)); });\n",
  );
  const jest = require.resolve('jest/bin/jest');
  const run = spawnSync(
    process.execPath,
    [jest, '--rootDir', dir, '--config', JSON.stringify({ testEnvironment: 'node', transform: {} }), '--ci'],
    { encoding: 'utf8', timeout: 60_000 },
  );
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/left unhandled on purpose/);
  expect(run.stderr).toMatch(/Tests: +1 failed, 1 total/);
}, 90_000);
