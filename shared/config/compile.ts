// Compiles a schema-valid configuration file: each section by the module that owns it (ingest,
// roll-ups); this only gathers every section's problems into one ConfigError.

import { compileIngest } from '../ingest';
import { compileRollups, RollupConfigError, type RollupsSection } from '../rollup';
import { ConfigError } from './errors';
import type { CompiledPipelineConfig, PipelineConfigFile } from './types';

/** Compiles a config that already passed schema validation. Throws ConfigError listing every problem. */
export function compilePipelineConfig(file: PipelineConfigFile, origin: string): CompiledPipelineConfig {
  const { ingest, issues } = compileIngest(file.ingest ?? {});
  let compiledRollups: CompiledPipelineConfig['compiledRollups'];
  if (file.rollups !== undefined) {
    // The roll-up module owns its semantic checks (cycles, duplicate writers, JSONata); we report them.
    try {
      compiledRollups = compileRollups(file.rollups as RollupsSection);
    } catch (error) {
      if (!(error instanceof RollupConfigError)) throw error;
      issues.push(error.message.startsWith('rollups') ? error.message : `rollups: ${error.message}`);
    }
  }
  if (issues.length > 0) throw new ConfigError(origin, issues);
  return { origin, ingest, ...(file.rollups !== undefined && { rollups: file.rollups }), ...(compiledRollups && { compiledRollups }) };
}
