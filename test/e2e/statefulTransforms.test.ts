// Stateful ingest transforms through the local loop (emulator, runner, the real function app): an
// energy total integrated from irregular, out-of-order and redelivered power readings equals the
// documented rule (shared/config/CONFIGURATION.md, "Stateful transforms") to 1e-9: readings folded
// in sourceTime order by the trapezoid rule, a reading older than (or as old as) the twin's stored
// state skipped, no integration across a gap longer than maxGapSeconds, a stored total kept as the start.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { repoRoot, runLocal, tempDir } from './support/runLocal';

jest.mock('@azure/functions-core', () => jest.requireActual('../../local/runner/functionsHost').fakeFunctionsCore, { virtual: true });

const base = Date.UTC(2024, 4, 1, 8);
const at = (seconds: number): string => new Date(base + seconds * 1000).toISOString();

/** [device time in s, watts]; in file order (the order IoT Hub enqueued them). */
const readings: Array<[number, number]> = [
  [0, 1000],
  [7, 1500],
  [68, 200],
  [30, 9999], // older than the stored state: skipped (reading-out-of-order)
  [68, 200], // redelivered: skipped (reading-already-folded)
  [68.5, 3000],
  [3668.5, 2500], // 3600 s after the last reading: more than maxGapSeconds, a new segment
  [3681.5, 0],
  [3681.5, 0], // redelivered again
  [3690.25, 400],
];

function writeScenario(): string {
  const directory = tempDir('stateful-scenario');
  mkdirSync(join(directory, 'models'));
  writeFileSync(
    join(directory, 'models', 'Meter.json'),
    JSON.stringify({
      '@context': 'dtmi:dtdl:context;3',
      '@id': 'dtmi:example:meter:Meter;1',
      '@type': 'Interface',
      contents: [
        { '@type': 'Property', name: 'power', schema: 'double' },
        { '@type': 'Property', name: 'energy', schema: 'double' },
      ],
    }),
  );
  writeFileSync(
    join(directory, 'graph.ndjson'),
    [
      { Section: 'Header' },
      { fileVersion: '1.0.0', author: 'test', organization: 'test' },
      { Section: 'Twins' },
      // A total is stored already, but no reading: it is the start, the first reading begins a segment.
      { $dtId: 'meter-1', $metadata: { $model: 'dtmi:example:meter:Meter;1' }, energy: 100 },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n') + '\n',
  );
  writeFileSync(
    join(directory, 'pipeline.yaml'),
    `ingest:
  options: { sourceTime: ts }
  rules:
    - name: meter
      match: { deviceId: "meter-*" }
      properties:
        - target: energy
          source: power
          transform: { unit: { from: W, to: kW }, integrate: { input: power, per: hour, maxGapSeconds: 1800 } }
`,
  );
  // Enqueued one second apart after the newest device time so far (no clock-skew clamping).
  let newest = 0;
  const lines = readings.map(([seconds, watts], i) => {
    newest = Math.max(newest, seconds);
    return JSON.stringify({
      deviceId: 'meter-1',
      enqueuedTime: at(newest + 1 + i * 0.001),
      messageId: `meter-1-${seconds}`,
      systemProperties: { 'content-type': 'application/json', 'content-encoding': 'utf-8' },
      body: { power: watts, ts: at(seconds) },
    });
  });
  writeFileSync(join(directory, 'telemetry.ndjson'), lines.join('\n') + '\n');
  return directory;
}

/**
 * The documented rule, computed independently, for readings delivered in `batches` (consecutive runs
 * of the file): a batch's readings are folded in time order; a reading as old as or older than the
 * newest reading folded before it (the twin's stored state) is skipped.
 */
function expectedEnergy(start: number, maxGapSeconds: number, batchSize = 1): number {
  let total = start;
  let previous: [number, number] | undefined;
  const ordered: Array<[number, number]> = [];
  for (let i = 0; i < readings.length; i += batchSize) ordered.push(...readings.slice(i, i + batchSize).sort((a, b) => a[0] - b[0]));
  for (const [seconds, watts] of ordered) {
    if (previous && seconds <= previous[0]) continue;
    if (previous && seconds - previous[0] <= maxGapSeconds) total += (((previous[1] + watts) / 2 / 1000) * (seconds - previous[0])) / 3600;
    previous = [seconds, watts];
  }
  return total;
}

it('integrates irregular, out-of-order and redelivered power readings into the documented energy total', async () => {
  const { summary, dump } = await runLocal({ scenario: writeScenario(), maxBatchSize: 1 });
  expect(summary.exitCode).toBe(0);
  expect(summary.stats.messagesIn).toBe(readings.length);
  expect(summary.stats.deadLettered).toBe(0);
  expect(summary.stats.filteredByReason).toEqual({ 'reading-out-of-order': 1, 'reading-already-folded': 2 });
  const meter = dump.twins.find((t) => t.$dtId === 'meter-1') as Record<string, unknown>;
  const expected = expectedEnergy(100, 1800);
  // Sanity of the reference: the gap segment (3600 s at ~2.75 kW, ~2.75 kWh) is not in it.
  expect(expected).toBeLessThan(100.1);
  expect(Math.abs((meter.energy as number) - expected)).toBeLessThan(1e-9);
  expect(meter.power).toBeCloseTo(0.4, 12);
}, 120_000);

it('the same total when batches fail and are redelivered through an ADT outage', async () => {
  const { summary, dump } = await runLocal({
    scenario: writeScenario(),
    maxBatchSize: 1,
    adtOutages: [{ startMs: 0, durationMs: 1500 }],
    ingestDeadlineSeconds: 1,
    maxRetryDelayMs: 500,
  });
  expect(summary.exitCode).toBe(0);
  expect(summary.stats.ingestFailures).toBeGreaterThan(0);
  expect(summary.lostBatches).toEqual([]);
  const meter = dump.twins.find((t) => t.$dtId === 'meter-1') as Record<string, unknown>;
  expect(Math.abs((meter.energy as number) - expectedEnergy(100, 1800))).toBeLessThan(1e-9);
}, 180_000);

it('one batch holding every reading folds them in time order (the late reading inside the batch counts)', async () => {
  const { summary, dump } = await runLocal({ scenario: writeScenario(), maxBatchSize: 64 });
  expect(summary.exitCode).toBe(0);
  expect(summary.stats.ingestInvocations).toBe(1);
  // Only the repeats are skipped: the 30 s reading is folded between 7 s and 68 s.
  expect(summary.stats.filteredByReason).toEqual({ 'reading-already-folded': 2 });
  const meter = dump.twins.find((t) => t.$dtId === 'meter-1') as Record<string, unknown>;
  const expected = expectedEnergy(100, 1800, readings.length);
  expect(expected).not.toBeCloseTo(expectedEnergy(100, 1800), 3);
  expect(Math.abs((meter.energy as number) - expected)).toBeLessThan(1e-9);
}, 120_000);

it('the energy-meter sample scenario ends as docs/LOCAL.md says', async () => {
  const { summary, dump } = await runLocal({ scenario: join(repoRoot, 'local', 'scenarios', 'energy-meter') });
  expect(summary.exitCode).toBe(0);
  expect(summary.stats.deadLettered).toBe(0);
  const meter = dump.twins.find((t) => t.$dtId === 'meter-1') as Record<string, unknown>;
  // 1, 2, 3, 2 kW at 0, 30, 60, 150 s (the 30 s reading arrived last of the first three): trapezoid, in kWh.
  expect(Math.abs((meter.energy as number) - (1.5 * 30 + 2.5 * 30 + 2.5 * 90) / 3600)).toBeLessThan(1e-9);
  expect(meter.energy).toBeCloseTo(0.0958, 4);
  // Pulses 10, 25, 40, then 5 after a reset: 10 + 15 + 15 + 5.
  expect(meter).toMatchObject({ pulseTotal: 45, pulseCount: 5, power: 2 });
}, 120_000);
