// npm run bench:building — the propagation benchmark: a building of 1,000 sensors / 100
// rooms / 10 floors / 1 building and one parent with 5,000 children, each under a burst of 10,000
// sensor updates with query lag on, ours against the samples' algorithm. Checks ours against the
// targets (exit 1 if one is missed): exact within 2 s of the last update plus the query lag, at
// most 3 ADT calls per notification, no 429. Flags: --lag <ms> (default 2000), --updates <n>,
// --json, --ours-only, --timeline (one line per second: handled, backlog, calls, event-loop use).
import { checkKnownFlags, standardArgv } from '../local/cli';
import { type BuildingRunMetrics, type BuildingShape, runBuilding } from './buildingBench';

export const buildingTargets = { exactWithinMsPlusLag: 2000, maxCallsPerNotification: 3, max429s: 0 };

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} needs a non-negative number.`);
  return value;
}

function line(m: BuildingRunMetrics): string {
  return [
    m.implementation.padEnd(10),
    (m.exactAfterMs === undefined ? 'never' : `${(m.exactAfterMs / 1000).toFixed(2)} s`).padStart(11),
    String(m.notifications).padStart(13),
    `${m.reads}/${m.writes}/${m.queries}`.padStart(20),
    m.callsPerNotification.toFixed(2).padStart(10),
    String(m.throttled429).padStart(6),
    String(m.deliveriesFailed).padStart(8),
    `${(m.eventLoopUtilization * 100).toFixed(0)} %`.padStart(6),
    String(m.backlogAtLastUpdate).padStart(9),
  ].join('  ');
}

const usage = `Usage: npm run bench:building -- [--lag <ms>] [--updates <n>] [--ours-only] [--timeline] [--json]

The propagation benchmark: a building of 1,000 sensors / 100 rooms / 10 floors and one parent with
5,000 children under a burst of sensor updates with query lag on, ours against the samples' algorithm.
  --lag <ms>      Emulator query lag (default 2000).
  --updates <n>   Sensor updates in the burst (default 10000).
  --ours-only     Skip the samples' algorithm.
  --timeline      One line per second: handled, backlog, calls, event-loop use.
  --json          Print the results as JSON too.
  --help, -h      Show this text. --version prints the version.`;

async function main(): Promise<void> {
  const argv = standardArgv(process.argv.slice(2));
  if (argv.includes('--help')) {
    console.log(usage);
    return;
  }
  const unknown = checkKnownFlags(argv, { switches: ['--ours-only', '--timeline', '--json'], valued: ['--lag', '--updates'] });
  if (unknown) {
    console.error(`${unknown}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const lag = flag('--lag', 2000);
  const updates = flag('--updates', 10_000);
  const oursOnly = process.argv.includes('--ours-only');
  const timeline = process.argv.includes('--timeline') ? (l: string) => console.log(l) : undefined;
  const rows: { name: string; shape: BuildingShape }[] = [
    { name: 'building: 10 floors × 10 rooms × 10 sensors', shape: { floors: 10, roomsPerFloor: 10, sensorsPerRoom: 10 } },
    { name: 'one parent with 5,000 children', shape: { floors: 1, roomsPerFloor: 1, sensorsPerRoom: 5000 } },
  ];
  const results: { name: string; ours: BuildingRunMetrics; naive?: BuildingRunMetrics }[] = [];
  for (const row of rows) {
    const ours = await runBuilding('propagator', row.shape, { updates, queryLagMs: lag, ...(timeline && { timeline }) });
    const naive = oursOnly ? undefined : await runBuilding('naive', row.shape, { updates, queryLagMs: lag, timeoutMs: 60_000 });
    results.push({ name: row.name, ours, ...(naive && { naive }) });
    console.log(`\n${row.name}: ${updates} sensor updates, query lag ${lag} ms, 16 deliveries in parallel`);
    console.log('            exact after  notifications  reads/writes/queries  calls/notif  429s  failed    loop  backlog');
    console.log(line(ours));
    if (naive) console.log(line(naive));
  }
  const missed = results.flatMap(({ name, ours }) =>
    [
      (ours.exactAfterMs === undefined || ours.exactAfterMs > buildingTargets.exactWithinMsPlusLag + lag) &&
        `${name}: not exact within ${buildingTargets.exactWithinMsPlusLag} ms + lag`,
      ours.callsPerNotification > buildingTargets.maxCallsPerNotification &&
        `${name}: ${ours.callsPerNotification.toFixed(2)} calls per notification`,
      ours.throttled429 > buildingTargets.max429s && `${name}: ${ours.throttled429} × 429`,
    ].filter((m): m is string => typeof m === 'string'),
  );
  if (process.argv.includes('--json')) console.log(JSON.stringify({ lag, updates, results, targets: buildingTargets, missed }, null, 2));
  console.log(missed.length ? `\nTargets missed: ${missed.join('; ')}` : '\nAll targets met.');
  process.exitCode = missed.length ? 1 : 0;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
