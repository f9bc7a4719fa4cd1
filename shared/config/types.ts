// The pipeline configuration file as a whole: one section per concern, each owned by its module
// (ingest: shared/ingest/config/ingestConfig.ts, roll-ups: shared/rollup/rules/config.ts). This folder only
// loads, validates and reports; it compiles nothing itself.

import type { CompiledIngest, IngestConfig } from '../ingest';
import type { CompiledRollups } from '../rollup';

export interface PipelineConfigFile {
  $schema?: string;
  version?: 1;
  ingest?: IngestConfig;
  /** Owned by the roll-up module (shared/rollup/rules/rollups.schema.json). */
  rollups?: unknown;
}

export interface CompiledPipelineConfig {
  /** File the config came from, or `(defaults)` when no file is configured. */
  origin: string;
  ingest: CompiledIngest;
  /** The `rollups` section as written (schema-validated). */
  rollups?: unknown;
  /** The same section compiled by shared/rollup compileRollups. */
  compiledRollups?: CompiledRollups;
}
