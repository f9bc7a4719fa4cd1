// `--instances`: n function instances in worker threads, partitions moved mid-run, give the same
// final twins as one instance — through the real command, on the sample building and the
// RealEstateCore building. And `npm run bench:scale -- --quick` produces every row of its table.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ScaleOutRow } from '../../bench/scaleOut';
import type { RunSummary } from '../../local/runner/runScenario';
import { privateBuild, removeBuild } from '../support/privateBuild';
import { buildingScenario, repoRoot, tempDir } from './support/runLocal';

let build: string;
beforeAll(() => {
  build = privateBuild('instances');
}, 120_000);
afterAll(() => removeBuild(build));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function node(script: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(build, script), ...args], { cwd: repoRoot, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function local(scenario: string, extra: string[]): Promise<{ summary: RunSummary; dump: string }> {
  const dump = join(tempDir('instances-dump'), 'dump.json');
  const run = await node('local/runner/cli.js', [
    '--scenario',
    scenario,
    '--dead-letters',
    tempDir('instances-dead-letters'),
    '--fast-retries',
    '--json',
    '--dump',
    dump,
    ...extra,
  ]);
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
  return { summary: JSON.parse(run.stdout) as RunSummary, dump: readFileSync(dump, 'utf8') };
}

function expectSpreadOverInstances(summary: RunSummary, count: number): void {
  expect(summary.accounting.balanced).toBe(true);
  expect(summary.instances).toMatchObject({ count });
  expect(summary.instances!.rebalances).toBeGreaterThan(0);
  expect(summary.instances!.partitionMoves).toBeGreaterThan(0);
  // Every instance took Event Grid deliveries, and none crashed.
  for (const instance of summary.instances!.perInstance) {
    expect(instance.propagateInvocations).toBeGreaterThan(0);
    expect(instance.crashed).toBeUndefined();
  }
  expect(summary.instances!.perInstance.reduce((n, i) => n + i.ingestInvocations, 0)).toBeGreaterThanOrEqual(
    summary.stats.ingestInvocations,
  );
}

it('the sample building: --instances 4 --rebalance-every 2 gives the same dump as one instance', async () => {
  const [one, four] = await Promise.all([
    local(buildingScenario, []),
    local(buildingScenario, ['--instances', '4', '--rebalance-every', '2']),
  ]);
  expect(one.summary.instances).toBeUndefined();
  expectSpreadOverInstances(four.summary, 4);
  expect(four.dump).toEqual(one.dump);
}, 180_000);

it('the RealEstateCore building: 3 instances, partitions moving every second, the same dump as one instance', async () => {
  const rec = join(repoRoot, 'local', 'scenarios', 'rec-building');
  const shape = ['--batch-size', '5'];
  const [one, three] = await Promise.all([local(rec, shape), local(rec, [...shape, '--instances', '3', '--rebalance-every', '1'])]);
  expectSpreadOverInstances(three.summary, 3);
  expect(three.dump).toEqual(one.dump);
}, 180_000);

it('npm run bench:scale -- --quick produces a row for every n, each run balanced and exact against n=1', async () => {
  const run = await node('bench/scaleOutRun.js', ['--quick', '--json', '--messages', '120']);
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
  const json = run.stdout.slice(run.stdout.indexOf('\n{') + 1);
  const { rows, checks } = JSON.parse(json) as { rows: ScaleOutRow[]; checks: { name: string; met: boolean }[] };
  expect(rows.map((r) => r.instances)).toEqual([1, 2, 4, 8]);
  for (const row of rows) {
    expect(row).toMatchObject({ messages: 120, applied: 120, exitCode: 0, exact: true, twinsDiffering: 0 });
    expect(row.adtRequests).toBeGreaterThan(0);
    expect(row.writesPerMessage).toBeGreaterThan(0);
    expect(row.maxParentWritesPerSecond).toBeGreaterThan(0);
  }
  expect(checks.map((c) => c.name)).toEqual([
    expect.stringMatching(/429s below 1 %/),
    expect.stringMatching(/no parent above 10 writes\/s/),
    expect.stringMatching(/throughput ≥ 90 %/),
    expect.stringMatching(/final state exact/),
  ]);
  // The table itself.
  expect(run.stdout).toMatch(/^\| n \| applied msgs \| ingest s \| msgs\/s \| quiet after s \|/m);
  expect(run.stdout.match(/^\| [1248] \| /gm)).toHaveLength(4);
}, 300_000);
