// Compiles a schema-valid configuration file: each section by the module that owns it (ingest,
// roll-ups); this only gathers every section's problems into one ConfigError.

import { compileIngest } from '../ingest';
import { type CompiledRollups, compileRollups, RollupConfigError, type RollupsSection } from '../rollup';
import { ConfigError } from './errors';
import type { CompiledPipelineConfig, PipelineConfigFile } from './types';

export interface CompiledSections {
  config: CompiledPipelineConfig;
  issues: string[];
  /** The roll-up rules that compile on their own, when the section as a whole does not: the model
   * checks can still look at them. */
  partialRollups?: CompiledRollups;
}

const asRollupIssue = (problem: string): string => (problem.startsWith('rollups') ? problem : `rollups: ${problem}`);

/** Every section compiled, with every problem (empty when the file is valid). */
export function compileSections(file: PipelineConfigFile, origin: string): CompiledSections {
  const { ingest, issues } = compileIngest(file.ingest ?? {});
  let compiledRollups: CompiledRollups | undefined;
  let partialRollups: CompiledRollups | undefined;
  if (file.rollups !== undefined) {
    // The roll-up module owns its semantic checks (cycles, duplicate writers, JSONata); we report them.
    const section = file.rollups as RollupsSection;
    try {
      compiledRollups = compileRollups(section);
    } catch (error) {
      if (!(error instanceof RollupConfigError)) throw error;
      issues.push(...error.problems.map(asRollupIssue));
      partialRollups = compileWorkingRules(section);
    }
  }
  const config = {
    origin,
    ingest,
    ...(file.rollups !== undefined && { rollups: file.rollups }),
    ...(compiledRollups && { compiledRollups }),
  };
  return { config, issues, ...(partialRollups && { partialRollups }) };
}

function compileWorkingRules(section: RollupsSection): CompiledRollups | undefined {
  const compiles = (rule: NonNullable<RollupsSection['rules']>[number]): boolean => {
    try {
      compileRollups([rule]);
      return true;
    } catch {
      return false;
    }
  };
  try {
    return compileRollups({ ...section, rules: (section.rules ?? []).filter(compiles), conditions: [], staleness: [] });
  } catch {
    return undefined;
  }
}

/** Compiles a config that already passed schema validation. Throws ConfigError listing every problem. */
export function compilePipelineConfig(file: PipelineConfigFile, origin: string): CompiledPipelineConfig {
  const { config, issues } = compileSections(file, origin);
  if (issues.length > 0) throw new ConfigError(origin, issues);
  return config;
}
