// npm run bench -- seed [--twins N] [--json]: a portfolio seeded through one import job, offline —
// the emulator in its own process (as ADT runs elsewhere), Azurite for the blobs, the seed's real
// bulk path (local/seed: ndjson → blob → PUT /jobs/imports → poll ≤ 1/s → read the log). Reports the
// time against the target (issue 25: 100,000 twins in ≤ 5 min) and against what the REST path could
// do at ADT's 500 creates/s; then checks the instance holds every twin and relationship.

import { createEmulatorClient } from '../local/emulator/trust';
import { emulatorAccess } from '../local/runner/adtAccess';
import { azuriteConnectionString, startAzurite } from '../local/runner/deadLetters';
import { defaultScenarioDirectory, loadScenario } from '../local/scenario';
import { runBulkSeed } from '../local/seed/run';
import { startEmulatorProcess } from './emulatorProcess';

export const seedTargets = { twins: 100_000, seconds: 300 };
/** ADT's default create/delete budget: what one request per twin and relationship could reach at best. */
const REST_CREATES_PER_SECOND = 500;

export const seedUsage = `Usage: npm run bench -- seed [--twins <n>] [--json]

Seeds a generated portfolio (buildings → floors → rooms → 3 sensors) of <n> twins (default ${seedTargets.twins})
through one ADT import job, offline (emulator in its own process + Azurite), and reports the time
against the target (${seedTargets.twins} twins in ≤ ${seedTargets.seconds} s, scaled to <n>). Exit 1 if the target is
missed or the instance does not hold every twin and relationship afterwards.`;

export interface SeedBenchReport {
  twins: number;
  relationships: number;
  megabytes: number;
  uploadSeconds: number;
  jobSeconds: number;
  totalSeconds: number;
  entitiesPerSecond: number;
  targetSeconds: number;
  /** total / target: at most 1 meets it. */
  targetRatio: number;
  /** What the REST path needs at 500 creates/s, over what the job took. */
  speedupOverRestCeiling: number;
  storedTwins: number;
  storedRelationships: number;
}

export function parseSeedBenchArgs(argv: readonly string[]): { twins: number; json: boolean } | { help: true } | { error: string } {
  let twins = seedTargets.twins;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help') return { help: true };
    if (flag === '--json') json = true;
    else if (flag === '--twins') {
      twins = Number(argv[++i]);
      if (!Number.isInteger(twins) || twins < 1) return { error: `--twins needs a whole number of at least 1 (got '${argv[i]}').` };
    } else return { error: `Unknown flag ${String(flag)}.` };
  }
  return { twins, json };
}

async function count(client: ReturnType<typeof createEmulatorClient>['client'], query: string): Promise<number> {
  for await (const row of client.queryTwins(query)) return Number((row as { COUNT?: number }).COUNT ?? 0);
  return 0;
}

export async function runSeedBench(twins: number, progress: (line: string) => void = () => undefined): Promise<SeedBenchReport> {
  const azurite = await startAzurite();
  const connectionString = azuriteConnectionString(azurite.blobEndpoint);
  const emulator = await startEmulatorProcess({ jobs: { storageConnectionString: connectionString } });
  const { client, httpClient } = createEmulatorClient(emulator, {
    retryOptions: { maxRetries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 500 },
  });
  const access = emulatorAccess(emulator);
  try {
    progress(`seeding ${twins} twins through one import job…`);
    const result = await runBulkSeed(client, access, loadScenario(defaultScenarioDirectory), {
      storage: connectionString,
      portfolio: twins,
      wait: { pollMs: 1000, maxPollMs: 5000, onPoll: (job) => progress(`  job ${job.id}: ${job.status}`) },
    });
    const storedTwins = await count(client, 'SELECT COUNT() FROM DIGITALTWINS');
    const storedRelationships = await count(client, 'SELECT COUNT() FROM RELATIONSHIPS');
    const totalSeconds = (result.uploadMs + result.jobMs) / 1000;
    const targetSeconds = (seedTargets.seconds * twins) / seedTargets.twins;
    const entities = result.twins + result.relationships;
    return {
      twins: result.twins,
      relationships: result.relationships,
      megabytes: result.bytes / 1e6,
      uploadSeconds: result.uploadMs / 1000,
      jobSeconds: result.jobMs / 1000,
      totalSeconds,
      entitiesPerSecond: Math.round(entities / (result.jobMs / 1000)),
      targetSeconds,
      targetRatio: totalSeconds / targetSeconds,
      speedupOverRestCeiling: entities / REST_CREATES_PER_SECOND / totalSeconds,
      storedTwins,
      storedRelationships,
    };
  } finally {
    httpClient.destroy();
    access.httpClient?.destroy?.();
    await emulator.close();
    await azurite.stop();
  }
}

export function printSeedReport(r: SeedBenchReport): string[] {
  return [
    `Bulk seed (import job, offline): ${r.twins} twins + ${r.relationships} relationships, ${r.megabytes.toFixed(1)} MB of ndjson`,
    `  upload ${r.uploadSeconds.toFixed(1)} s + job ${r.jobSeconds.toFixed(1)} s = ${r.totalSeconds.toFixed(1)} s (${r.entitiesPerSecond} twins+relationships/s in the job)`,
    `  target ≤ ${r.targetSeconds.toFixed(0)} s: ratio ${r.targetRatio.toFixed(2)} (≤ 1 meets it); ${r.speedupOverRestCeiling.toFixed(1)}× faster than the REST path's best case at ${REST_CREATES_PER_SECOND} creates/s`,
    `  instance afterwards: ${r.storedTwins} twins, ${r.storedRelationships} relationships`,
  ];
}

export async function seedMain(argv: readonly string[]): Promise<void> {
  const args = parseSeedBenchArgs(argv);
  if ('help' in args) return void console.log(seedUsage);
  if ('error' in args) {
    console.error(`${args.error}\n\n${seedUsage}`);
    process.exitCode = 2;
    return;
  }
  const report = await runSeedBench(args.twins, (line) => console.error(line));
  for (const line of printSeedReport(report)) console.log(line);
  const missed: string[] = [];
  if (report.targetRatio > 1) missed.push(`seed took ${report.totalSeconds.toFixed(1)} s, target ${report.targetSeconds.toFixed(0)} s`);
  if (report.storedTwins !== report.twins || report.storedRelationships !== report.relationships)
    missed.push('the instance does not hold every twin and relationship');
  if (args.json) console.log(JSON.stringify({ ...report, missed }, null, 2));
  if (missed.length > 0) {
    console.error(`Missed: ${missed.join('; ')}`);
    process.exitCode = 1;
  }
}
