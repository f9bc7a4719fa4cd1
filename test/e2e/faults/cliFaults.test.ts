// The fault and soak flags through the real command: the runner compiled on its own (into a private
// folder, so a concurrent `npm run local` rebuilding dist/ cannot hand this test half-written files)
// and run as a child process.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import type { RunSummary } from '../../../local/runner/runScenario';
import { privateBuild, removeBuild } from '../../support/privateBuild';
import { buildingScenario, repoRoot, tempDir } from '../support/runLocal';
import { matrixTelemetry } from './matrix';

let outDir: string;
let cli: string;

beforeAll(() => {
  outDir = privateBuild('cli-faults');
  cli = join(outDir, 'local', 'runner', 'cli.js');
}, 300_000);

afterAll(() => removeBuild(outDir));

function local(args: string[]) {
  return spawnSync(process.execPath, [cli, '--scenario', buildingScenario, '--dead-letters', tempDir('cli-fault-dead-letters'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
}

it('--adt-faults, --adt-latency, --adt-limits, --adt-outage and --dead-letter-outage reach the loop, which still balances', () => {
  const run = local([
    '--telemetry',
    matrixTelemetry(),
    '--json',
    '--fast-retries',
    '--adt-latency',
    '2:2',
    '--adt-faults',
    'errorRate=0.05,seed=9',
    '--adt-limits',
    'perTwinWritesPerSecond=5',
    '--adt-outage',
    '0.5+1',
    '--dead-letter-outage',
    '0+2',
  ]);
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
  const summary = JSON.parse(run.stdout) as RunSummary;
  expect(summary.accounting).toMatchObject({ balanced: true, fed: 303, received: 303, deadLettered: 3, givenUp: [] });
  expect(summary.faults.adt.map((e) => `${e.label} ${e.state}`)).toEqual(['ADT outage start', 'ADT outage end']);
  expect(summary.faults.deadLetterStore.map((e) => e.state)).toEqual(['start', 'end']);
  // The ADT outage and the faults are felt (whether the store outage met a dead-letter write depends
  // on the machine's speed; outages.test.ts proves that case on its own).
  expect(summary.stats.adtCalls).toBeGreaterThan(0);
  expect(summary.resources.peakHeapUsedBytes).toBeGreaterThan(0);
}, 240_000);

it('a misspelt fault key stops the command with exit 2 and the list of known keys', () => {
  const run = local(['--adt-faults', 'errorRates=0.5']);
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/^--adt-faults: unknown key 'errorRates'\. Known keys: latencyMs, jitterMs, errorRate, errorStatuses/);
}, 60_000);

it('--soak drives the simulator live and prints heap, RSS, lag and queue sizes', () => {
  const run = local(['--soak', '0.05', '--soak-rate', '20', '--quiet']);
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  const lines = run.stderr.split('\n').filter((l) => l.startsWith('soak '));
  expect(lines.at(-1)).toMatch(
    /^soak 0\.\d\/0\.1 min \| fed (5[5-9]|60) applied \d+ dead-lettered 0 \| heap [\d.]+ MiB \| RSS [\d.]+ MiB \| lag p99 [\d.]+ ms max [\d.]+ ms \| queued events \d+ \| pending notifications \d+$/,
  );
  expect(run.stdout).toMatch(/^Accounting {3}balanced: fed 60, received 60 = applied 60 \+ filtered 0 \+ dead-lettered 0, given up 0$/m);
}, 120_000);
