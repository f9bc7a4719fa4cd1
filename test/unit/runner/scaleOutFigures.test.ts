// The scale-out benchmark's own arithmetic (bench/scaleOut.ts): the per-parent write rate, the copied
// workload, and the targets it checks. The runs themselves are in test/e2e/instances.test.ts.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { checkTargets, copiedBuildings, maxWritesPerSecond, type ScaleOutRow } from '../../../bench/scaleOut';

it('max writes per second is the fullest one-second window of any one twin', () => {
  const times = new Map([
    ['room-1', [0, 100, 200, 999, 1000, 2500]],
    ['room-2', [0, 5000]],
  ]);
  // 0, 100, 200, 999 fall in one second; 1000 starts the next window with 100..999.
  expect(maxWritesPerSecond(times)).toBe(4);
  expect(maxWritesPerSecond(new Map())).toBe(0);
});

it('copies the sample building with suffixed ids; every relationship source is a parent', () => {
  const { scenario, parents } = copiedBuildings(mkdtempSync(join(tmpdir(), 'scale-copy-')), 2);
  const lines = readFileSync(join(scenario, 'graph.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const ids = lines.filter((l) => typeof l.$dtId === 'string' && l.$metadata).map((l) => String(l.$dtId));
  expect(ids).toContain('building-hq-b1');
  expect(ids).toContain('building-hq-b2');
  expect(new Set(ids).size).toBe(ids.length);
  expect(parents.has('room-101-b2')).toBe(true);
  expect(parents.has('thermostat-101-b1')).toBe(false);
  const relationships = lines.filter((l) => typeof l.$relationshipId === 'string');
  expect(relationships.every((r) => String(r.$dtId).endsWith(String(r.$targetId).slice(-3)))).toBe(true);
});

const row = (instances: number, over: Partial<ScaleOutRow> = {}): ScaleOutRow => ({
  instances,
  messages: 100,
  applied: 100,
  ingestSeconds: 1,
  messagesPerSecond: 100,
  quietSeconds: 2,
  writesPerMessage: 0.5,
  telemetryPerMessage: 0,
  cpuSeconds: 1,
  adtRequests: 1000,
  throttled: 0,
  throttledShare: 0,
  twinsDiffering: 0,
  exact: true,
  maxParentWritesPerSecond: 5,
  exitCode: 0,
  ...over,
});

it('checks the targets at the largest n: 429 share, parent rate, throughput against max(single, ADT ceiling), exactness', () => {
  // Ceiling = 1000 patches/s ÷ 0.5 writes per message = 2,000 msgs/s; 90 % of it is wanted.
  const met = checkTargets([row(1), row(8, { messagesPerSecond: 1900, throttledShare: 0.005 })]);
  expect(met.map((c) => c.met)).toEqual([true, true, true, true]);
  const missed = checkTargets([
    row(1),
    row(8, { messagesPerSecond: 1700, throttledShare: 0.02, maxParentWritesPerSecond: 11, exact: false, twinsDiffering: 3 }),
  ]);
  expect(missed.map((c) => c.met)).toEqual([false, false, false, false]);
  expect(missed[3]?.detail).toBe('3 twin(s) differ');
  // When one instance already beats the ceiling (heavy coalescing), it is the bar.
  expect(checkTargets([row(1, { messagesPerSecond: 3000 }), row(8, { messagesPerSecond: 2500 })])[2]?.met).toBe(false);
});

it('ADT ceiling is the tighter limit: 1,000 telemetry requests/s when every message is also sent as telemetry', () => {
  const checks = checkTargets([
    row(1, { writesPerMessage: 0.05, telemetryPerMessage: 1, messagesPerSecond: 90 }),
    row(8, { messagesPerSecond: 850 }),
  ]);
  expect(checks[2]?.name).toMatch(/ADT ceiling 1000\/s/);
  expect(checks[2]?.met).toBe(false);
  expect(checkTargets([row(1, { writesPerMessage: 0.05, telemetryPerMessage: 1 }), row(8, { messagesPerSecond: 905 })])[2]?.met).toBe(true);
});
