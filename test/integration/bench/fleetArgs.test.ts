// npm run bench -- fleet: its flags, and --quick/--scale shrinking devices and ADT's limits together.
import { percentile } from '../../../bench/fleetBench';
import { fleetPlan, parseFleetArgs } from '../../../bench/fleetRun';
import { fleetSchedule } from '../../../bench/fleetTraffic';
import { heapBeforeGc } from '../../../bench/gcMemory';

it('parses --quick, --json and --scale, answers --help and refuses the rest', () => {
  expect(parseFleetArgs([])).toEqual({ quick: false, json: false, scale: 1 });
  expect(parseFleetArgs(['--quick', '--json', '--scale', '0.1'])).toEqual({ quick: true, json: true, scale: 0.1 });
  expect(parseFleetArgs(['--help'])).toEqual({ help: true });
  expect(parseFleetArgs(['--scale', '2'])).toEqual({ error: '--scale needs a number in (0, 1], got 2.' });
  expect(parseFleetArgs(['--fast'])).toEqual({ error: 'Unknown flag --fast.' });
});

it('the full plan is the issue shape; --quick and --scale shrink devices and ADT limits in proportion', () => {
  expect(fleetPlan(false).fleet).toMatchObject({ devices: 2000, perDevice: 5, partitions: 4, adtScale: 1 });
  expect(fleetPlan(false).light.devices * fleetPlan(false).light.perDevice).toBe(200);
  const scaled = fleetPlan(false, 0.1).fleet;
  expect(scaled.devices / scaled.adtScale).toBe(2000);
  const quick = fleetPlan(true).fleet;
  expect(quick.devices / quick.adtScale).toBe(2000);
  expect(quick.devices * quick.seconds * 5).toBeLessThan(fleetPlan(false).fleet.devices * fleetPlan(false).fleet.seconds);
});

it('schedules every device at 5 msg/s in bursts, in time order', () => {
  const schedule = fleetSchedule({ devices: 10, perDevice: 5, burstSpacingMs: 20, partitions: 2, seconds: 3, seed: 1, adtScale: 1 });
  expect(schedule.length).toBeGreaterThan(130);
  expect(schedule.length).toBeLessThanOrEqual(150);
  for (let i = 1; i < schedule.length; i++) expect(schedule[i]!.atMs).toBeGreaterThanOrEqual(schedule[i - 1]!.atMs);
  const device0 = schedule.filter((m) => m.device === 0);
  expect(device0.map((m) => m.n)).toEqual(device0.map((_, i) => i + 1));
  expect(device0[1]!.atMs - device0[0]!.atMs).toBeCloseTo(20, 6);
});

it('reads the heap before each collection from --trace-gc lines', () => {
  expect(
    heapBeforeGc(
      '[123:0x5f]      812 ms: Scavenge 45.6 (48.2) -> 44.9 (49.2) MB, 1.25 / 0.00 ms  (average mu = 1.000) allocation failure;',
    ),
  ).toBe(45.6);
  expect(
    heapBeforeGc(
      '[123:0x5f]     2001 ms: Mark-Compact 120.1 (130.0) -> 80.4 (131.0) MB, 20.1 / 0.0 ms  (average mu = 0.9) finalize incremental marking',
    ),
  ).toBe(120.1);
  expect(heapBeforeGc('@@batch-start')).toBeUndefined();
});

it('takes nearest-rank percentiles', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(percentile(values, 50)).toBe(50);
  expect(percentile(values, 99)).toBe(99);
  expect(percentile([], 99)).toBe(0);
});
