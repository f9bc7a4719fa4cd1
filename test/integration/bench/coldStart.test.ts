// The cold-start bench's first-invocation figure at a tiny scale, compiled into a private folder (as
// fleetBench.test.ts does) because it forks fresh Node processes running the compiled bench. Checks
// what the figure contains — the SDK's load, every ADT request by kind, the connections, phases that
// add up — never how fast anything was.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import type { FirstInvocationMetrics } from '../../../bench/coldStart';
import { privateBuild, removeBuild } from '../../support/privateBuild';

const repoRoot = join(__dirname, '..', '..', '..');
let outDir: string;
let first: FirstInvocationMetrics;

beforeAll(() => {
  outDir = privateBuild('cold-start');
  const script = `require(${JSON.stringify(join(outDir, 'bench', 'coldStart.js'))}).measureFirstInvocation(10, 0).then((r) => process.stdout.write(JSON.stringify(r)))`;
  const run = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
  first = JSON.parse(run.stdout) as FirstInvocationMetrics;
}, 400_000);

afterAll(() => removeBuild(outDir));

it('counts the SDK load inside the first invocation: nothing loaded it before', () => {
  expect(first).toMatchObject({ twins: 10, latencyMs: 0, applied: 10, sdkLoadedBeforeInvocation: false });
});

it('reports every ADT request of the batch by kind and the connections it opened', () => {
  // The 10 new twins are read by one query (the first touch by query), not 10 GETs.
  expect(first.requests).toEqual({ twinReads: 0, twinQueries: 1, modelReads: 1, patches: 10, other: 0 });
  expect(first.connections).toBeGreaterThanOrEqual(1);
  expect(first.connections).toBeLessThanOrEqual(11);
});

it('breaks the invocation into phases that fit inside it', () => {
  const { beforeFirstRequestMs, readsMs, readsToWritesMs, writesMs, afterLastRequestMs } = first.phases;
  for (const value of [beforeFirstRequestMs, readsMs, readsToWritesMs, writesMs, afterLastRequestMs])
    expect(value).toBeGreaterThanOrEqual(0);
  expect(beforeFirstRequestMs + readsMs + readsToWritesMs + writesMs + afterLastRequestMs).toBeLessThanOrEqual(
    first.firstInvocationMs + 0.01,
  );
});
