// Connects the pipeline configuration (shared/config) to the mapping and coalescing steps.
// GAP: the mapping/coalescing modules (owned by the mapping helper) had not landed when this was
// written; until they do, the deployed function refuses to start with this message.

import type { IngestPlanner } from './ingestPlan';

export function loadIngestPlanner(): IngestPlanner {
  throw new Error(
    'The ingest planner (mapping + coalescing from PIPELINE_CONFIG_PATH) is not wired into shared/ingest/plannerFromConfig.ts yet. Build it from shared/config loadPipelineConfig() and the mapping/coalesce modules.',
  );
}
