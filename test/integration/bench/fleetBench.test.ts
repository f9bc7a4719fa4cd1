// `npm run bench -- fleet --quick` as CI runs it: the compiled bench (a private build, so a
// concurrent build of dist/ cannot hand it half-written files) as a child process, the way a user
// starts it. Checks that it runs and reports every row and figure — never how fast anything was.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import type { FleetReport } from '../../../bench/fleetRun';
import { privateBuild, removeBuild } from '../../support/privateBuild';

const repoRoot = join(__dirname, '..', '..', '..');
let outDir: string;
let report: FleetReport;
let stdout: string;

beforeAll(() => {
  outDir = privateBuild('fleet-bench');
  const run = spawnSync(process.execPath, ['--expose-gc', join(outDir, 'bench', 'run.js'), 'fleet', '--quick', '--json'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 280_000,
  });
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
  stdout = run.stdout;
  const json = stdout.slice(stdout.indexOf('\n{') + 1, stdout.lastIndexOf('\n}') + 2);
  report = JSON.parse(json) as FleetReport;
}, 600_000);

afterAll(() => removeBuild(outDir));

it('runs ours and the samples on the fleet and at light load, each row with every figure', () => {
  expect(report.rows.map((r) => `${r.label} ${r.implementation}`)).toEqual(['fleet ours', 'fleet samples', 'light ours', 'light samples']);
  for (const row of report.rows) {
    expect(row.offered).toBeGreaterThan(0);
    expect(row.applied).toBeGreaterThan(0);
    // Counted at the emulator: the sample never reads, we read each twin once and its model once.
    expect(row.adtRequests.total).toBe(
      row.adtRequests.reads + row.adtRequests.modelReads + row.adtRequests.patches + row.adtRequests.other,
    );
    for (const value of [
      row.appliedPerSecond,
      row.adtRequestsPerMessage,
      row.throttledShare,
      row.freshness.p50,
      row.freshness.p99,
      row.backlogAtEnd,
      row.backlogAtHalf,
      row.meanBatch,
    ])
      expect(Number.isFinite(value)).toBe(true);
    expect(row.freshness.p99).toBeGreaterThanOrEqual(row.freshness.p50);
    expect(row.steadyFreshness.p99).toBeGreaterThanOrEqual(row.steadyFreshness.p50);
    expect(row.steadyFreshness.warmUpMs).toBeGreaterThan(0);
  }
  const [ours, samples] = report.rows;
  expect(samples?.adtRequests.reads).toBe(0);
  expect(ours?.adtRequests.reads).toBeGreaterThan(0);
  expect(ours?.adtRequests.modelReads).toBeGreaterThan(0);
  expect(report.rows.filter((r) => r.implementation === 'ours').every((r) => r.deadLettered === 0 && r.failedInvocations === 0)).toBe(true);
});

it('reports the CPU path, cold start, first invocation and GC-traced memory', () => {
  for (const [cpu, mapping] of [
    [report.cpu, 'rules'],
    [report.cpuModel, 'model'],
  ] as const) {
    expect(cpu.mapping).toBe(mapping);
    expect(cpu.floorNsPerMessage).toBeGreaterThan(0);
    expect(cpu.pipelineNsPerMessage).toBeGreaterThan(0);
  }
  expect(report.require.runs.length).toBeGreaterThanOrEqual(1);
  expect(report.require.medianMs).toBeGreaterThan(0);
  expect(report.firstInvocation).toMatchObject({ twins: 100, latencyMs: 15, applied: 100 });
  expect(report.firstInvocation.firstInvocationMs).toBeGreaterThan(0);
  // Figures from GC trace lines: at least one collection ran during the batch.
  expect(report.memory.gcsDuringBatch).toBeGreaterThan(0);
  expect(report.memory.peakMb).toBeGreaterThanOrEqual(report.memory.baselineMb);
  expect(report.memory.twinCacheBytesPerTwin).toBeGreaterThan(0);
  expect(report.memory.guardCopyBytesPerTwin).toBeGreaterThan(0);
  expect(report.memory.portfolioGuardBytesPerTwin).toBeGreaterThan(0);
  expect(report.memory.activeTwinsCacheMb).toBeGreaterThan(0);
  expect(Array.isArray(report.missed)).toBe(true);
});

it('prints the table and says which targets were missed or that all were met', () => {
  expect(stdout).toContain('GET/model/PATCH');
  expect(stdout).toMatch(/Targets missed: |All fleet targets met\./);
});
