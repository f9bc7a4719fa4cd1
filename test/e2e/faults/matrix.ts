// The fault matrix's common ground: one scenario (the sample building) and one telemetry file (its
// 300 messages plus three broken ones, so dead letters are part of every case), a no-fault run to
// compare with, and the checks every case must pass: same final dump, every message accounted
// for, nothing given up, no unhandled rejection (jest fails the test on one), heap growth under a
// stated bound.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { RunOptions, RunResult } from '../../../local/runner/runScenario';
import { buildingScenario, runLocal, tempDir } from '../support/runLocal';

/** The broken messages of bad-telemetry.ndjson (its other lines repeat telemetry.ndjson). */
export const brokenMessageIds = ['bad-invalid-json', 'bad-unknown-device', 'bad-wrong-type'];

/** Peak heap above the heap at the first telemetry. A no-fault run stays well under it (see docs/GUARANTEES.md, "Under faults"). */
export const heapGrowthBoundBytes = 64 * 1024 * 1024;

export function matrixTelemetry(): string {
  const good = readFileSync(join(buildingScenario, 'telemetry.ndjson'), 'utf8').trimEnd();
  const broken = readFileSync(join(buildingScenario, 'bad-telemetry.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => brokenMessageIds.some((id) => line.includes(`"messageId":"${id}"`)));
  if (broken.length !== brokenMessageIds.length)
    throw new Error(`bad-telemetry.ndjson no longer holds ${brokenMessageIds.join(', ')}; update the fault matrix.`);
  const path = join(tempDir('fault-matrix'), 'telemetry.ndjson');
  writeFileSync(path, `${good}\n${broken.join('\n')}\n`, 'utf8');
  return path;
}

export interface CaseResult {
  result: RunResult;
  deadLetterIds: string[];
  seconds: number;
}

/**
 * Runs the loop on the matrix telemetry with the given faults. An unhandled rejection anywhere in
 * the run fails the running test: jest-circus listens for them on the real process (a listener
 * added here would sit on jest's sandboxed process object and hear nothing; controls.test.ts
 * checks that jest does fail such a test).
 */
export async function runCase(telemetry: string, options: RunOptions = {}): Promise<CaseResult> {
  const deadLetterDirectory = tempDir('fault-dead-letters');
  const started = Date.now();
  // --dead-letters always wins, so a case that asks for Azurite gets no folder.
  const blob = options.azurite === true || options.azuriteEndpoint !== undefined;
  const result = await runLocal({ telemetry, ...(blob ? {} : { deadLetterDirectory }), ...options });
  // Let a rejection that surfaces a tick late still land inside this test.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { result, deadLetterIds: deadLetterMessageIds(deadLetterDirectory), seconds: (Date.now() - started) / 1000 };
}

function deadLetterMessageIds(directory: string): string[] {
  const ids: string[] = [];
  // A case may have made the folder unusable on purpose (controls.test.ts).
  if (!existsSync(directory) || !statSync(directory).isDirectory()) return ids;
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const document = JSON.parse(readFileSync(join(entry.parentPath ?? entry.path, entry.name), 'utf8')) as { messageId?: string };
    ids.push(document.messageId ?? '(none)');
  }
  return ids.sort();
}

/** The no-fault run every case is compared with; it must itself be clean and dead-letter exactly the broken messages. */
export async function noFaultRun(telemetry: string): Promise<CaseResult> {
  const run = await runCase(telemetry);
  expect(run.result.summary.exitCode).toBe(0);
  expect(run.result.summary.accounting).toMatchObject({ balanced: true, fed: 303, deadLettered: brokenMessageIds.length });
  expect(run.deadLetterIds).toEqual(brokenMessageIds);
  return run;
}

/** The checks of every matrix case against the no-fault run. */
export function expectNothingLost(run: CaseResult, baseline: CaseResult): void {
  const { summary, dump } = run.result;
  expect({ exitCode: summary.exitCode, lost: summary.lostBatches, propagationFailures: summary.propagationFailures }).toEqual({
    exitCode: 0,
    lost: [],
    propagationFailures: [],
  });
  expect(dump).toEqual(baseline.result.dump);
  const a = summary.accounting;
  expect(a).toMatchObject({ balanced: true, givenUp: [], undelivered: [], duplicated: [], repeatedMessageIds: 0, unbalancedBatches: 0 });
  expect(a.received).toBe(a.fed);
  expect(a.applied + a.filtered + a.deadLettered).toBe(a.received);
  expect({ applied: a.applied, filtered: a.filtered, deadLettered: a.deadLettered }).toEqual({
    applied: baseline.result.summary.accounting.applied,
    filtered: baseline.result.summary.accounting.filtered,
    deadLettered: baseline.result.summary.accounting.deadLettered,
  });
  expect(run.deadLetterIds).toEqual(baseline.deadLetterIds);
  expect(summary.resources.peakHeapUsedBytes - summary.resources.start.heapUsedBytes).toBeLessThan(heapGrowthBoundBytes);
}

/** One line per case for the figures in docs/GUARANTEES.md ("Under faults") (printed by the matrix tests). */
export function figures(name: string, run: CaseResult): string {
  const s = run.result.summary;
  const mb = (b: number): string => (b / 1024 / 1024).toFixed(0);
  return `${name}: ${run.seconds.toFixed(1)} s, ingest invocations ${s.stats.ingestInvocations} (${s.stats.ingestFailures} redelivered), ADT calls ${s.stats.adtCalls}, 429s ${s.stats.adtThrottled}, propagate failed attempts ${s.stats.propagateFailures}, heap +${mb(s.resources.peakHeapUsedBytes - s.resources.start.heapUsedBytes)} MB peak, accounting ${s.accounting.received}=${s.accounting.applied}+${s.accounting.filtered}+${s.accounting.deadLettered}`;
}
