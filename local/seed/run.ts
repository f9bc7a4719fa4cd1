// What `npm run seed` does, callable from the command line, the bench and tests alike: the REST path
// (one request per model batch, twin and relationship; local/runner/seed.ts) or the bulk path (one
// import job; bulkSeed.ts), against a real instance or the emulator (same code, other access).
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

import { AdtJobsClient, type WaitOptions } from '../../shared/adt';
import type { AdtAccess } from '../runner/adtAccess';
import { seedScenario } from '../runner/seed';
import type { ImportedRelationship, ImportedTwin, Scenario } from '../scenario';
import { bulkSeed, type BulkSeedResult } from './bulkSeed';
import { generatePortfolio, PORTFOLIO_MODEL_IDS } from './portfolio';
import { DEFAULT_IMPORT_CONTAINER, DEFAULT_LOG_CONTAINER, importStorage } from './storage';

export interface BulkChoice {
  /** Blob endpoint URL (identity) or connection string (Azurite). */
  storage: string;
  container?: string;
  logContainer?: string;
  /** Generate this many twins instead of the scenario's graph. */
  portfolio?: number;
  jobId?: string;
  wait?: WaitOptions;
  /** Jobs API request spacing (default 1000 ms, its 1 request/s limit). */
  minRequestIntervalMs?: number;
}

/** The graph to import: the scenario's, or a generated portfolio that uses the scenario's models. */
export function bulkGraph(
  scenario: Scenario,
  portfolio: number | undefined,
): { twins: ImportedTwin[]; relationships: ImportedRelationship[] } {
  if (portfolio === undefined) return { twins: scenario.graph.twins, relationships: scenario.graph.relationships };
  const available = new Set(scenario.models.map((m) => String(m['@id'])));
  const missing = PORTFOLIO_MODEL_IDS.filter((id) => !available.has(id));
  if (missing.length > 0)
    throw new Error(
      `--portfolio builds buildings, floors, rooms and sensors with the building scenario's models; ${scenario.directory} lacks ${missing.join(', ')}. Use --scenario local/scenarios/building.`,
    );
  return generatePortfolio(portfolio);
}

async function missingModels(client: DigitalTwinsClient, scenario: Scenario): Promise<Record<string, unknown>[]> {
  const present = new Set<string>();
  for await (const model of client.listModels()) present.add(model.id);
  return scenario.models.filter((m) => !present.has(String(m['@id'])));
}

export async function runBulkSeed(
  client: DigitalTwinsClient,
  access: AdtAccess,
  scenario: Scenario,
  bulk: BulkChoice,
): Promise<BulkSeedResult> {
  const graph = bulkGraph(scenario, bulk.portfolio);
  const storage = await importStorage(
    bulk.storage,
    { input: bulk.container ?? DEFAULT_IMPORT_CONTAINER, logs: bulk.logContainer ?? DEFAULT_LOG_CONTAINER },
    () => access.credential,
  );
  const jobs = new AdtJobsClient({
    url: access.url,
    credential: access.credential,
    ...(access.httpClient ? { httpClient: access.httpClient } : {}),
    ...(bulk.minRequestIntervalMs !== undefined ? { minRequestIntervalMs: bulk.minRequestIntervalMs } : {}),
  });
  const models = await missingModels(client, scenario);
  return bulkSeed(
    jobs,
    storage,
    { models, ...graph },
    { ...(bulk.jobId ? { jobId: bulk.jobId } : {}), ...(bulk.wait ? { wait: bulk.wait } : {}) },
  );
}

export function bulkSummary(url: string, result: BulkSeedResult): string {
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  const rate = Math.round((result.twins + result.relationships) / Math.max(0.001, result.jobMs / 1000));
  return [
    `Seeded ${url} by import job ${result.jobId} (${result.status}): ${result.models} models, ${result.twins} twins, ${result.relationships} relationships`,
    `in ${seconds(result.uploadMs + result.jobMs)} s (upload ${(result.bytes / 1e6).toFixed(1)} MB ${seconds(result.uploadMs)} s, job ${seconds(result.jobMs)} s, ${rate} twins+relationships/s).`,
    `Job log: ${result.outputBlobUri}`,
  ].join('\n');
}

export { seedScenario };
