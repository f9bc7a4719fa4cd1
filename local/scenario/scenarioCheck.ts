// Everything a scenario can get wrong that its models can tell, checked when it is loaded (runner,
// map, reconcile, seed): twins and relationships of graph.ndjson, ingest targets, roll-up rules
// (models, relationship names, properties, cycles through inheritance). One error lists them all.
import { join } from 'node:path';

import type { CompiledPipelineConfig } from '../../shared/config';
import { buildModelIndex } from '../../shared/dtdl';
import { checkIngestAgainstModels } from '../../shared/ingest';
import { checkRollupsAgainstModels } from '../../shared/rollup';
import { checkGraphAgainstModels } from './graphCheck';
import type { ImportFile } from './importFile';

export class ScenarioError extends Error {
  constructor(
    readonly directory: string,
    readonly problems: readonly string[],
  ) {
    super(
      `Scenario ${directory} does not fit its models (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nFix graph.ndjson, the pipeline file or models/ and run again (npm run map -- --scenario <dir> --message … previews a message).',
    );
    this.name = 'ScenarioError';
  }
}

export interface ScenarioParts {
  directory: string;
  models: readonly Record<string, unknown>[];
  graph: ImportFile;
  pipeline: CompiledPipelineConfig;
}

/** Every problem, one line each; empty when the scenario fits. Without models there is nothing to check against. */
export function checkScenario(scenario: ScenarioParts): string[] {
  if (scenario.models.length === 0) return [];
  const index = buildModelIndex([...scenario.models]);
  const origin = scenario.pipeline.origin;
  return [
    ...checkGraphAgainstModels(scenario.graph, index, join(scenario.directory, 'graph.ndjson')),
    ...checkIngestAgainstModels(scenario.pipeline.ingest, index).map((p) => `${origin}: ${p}`),
    ...(scenario.pipeline.compiledRollups
      ? checkRollupsAgainstModels(scenario.pipeline.compiledRollups, index).map((p) => `${origin}: ${p}`)
      : []),
  ];
}
