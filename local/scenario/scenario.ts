// A scenario directory: models/ (DTDL JSON), graph.ndjson (import-job format), optionally the
// pipeline configuration (pipeline.yaml|yml|json; without one the documented defaults apply),
// simulator.json and telemetry.ndjson. Loading checks the graph and the rules against the models.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { type CompiledPipelineConfig, ConfigError, defaultPipelineConfig, loadPipelineConfigFile } from '../../shared/config';
import { buildModelIndex } from '../../shared/dtdl';
import { parseEnvelopes, type TelemetryEnvelope } from '../../shared/ingest';
import { checkGraphAgainstModels } from './graphCheck';
import { type ImportFile, parseImportFile } from './importFile';
import { projectRoot } from './projectRoot';
import { checkScenario, ScenarioError } from './scenarioCheck';

export interface Scenario {
  directory: string;
  name: string;
  /** DTDL interfaces, from models/*.json (a file may hold one interface or an array). */
  models: Record<string, unknown>[];
  graphText: string;
  graph: ImportFile;
  /**
   * The pipeline file, or '' when the scenario has none: then, as with an empty
   * PIPELINE_CONFIG_PATH app setting, the documented defaults apply (twin id = device id,
   * model-driven mapping, no roll-ups).
   */
  pipelineConfigPath: string;
  /** The configuration, loaded and compiled (the defaults when there is no file). */
  pipeline: CompiledPipelineConfig;
  /** simulator.json (device profiles for npm run simulate), when the scenario has one. */
  simulatorPath?: string;
  telemetryPath?: string;
}

export const defaultScenarioDirectory = join(projectRoot, 'local', 'scenarios', 'building');
const pipelineFileNames = ['pipeline.yaml', 'pipeline.yml', 'pipeline.json'];

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}. Fix the JSON or remove the file.`);
  }
}

export interface LoadScenarioOptions {
  /** Check the graph and the rules against the models and throw ScenarioError listing every problem (default true). */
  check?: boolean;
}

/**
 * The pipeline file, checked against the models when `check` is given: its own problems and its
 * rules' misfits with the models come in one ConfigError, each with its line; when graph.ndjson
 * has problems too, one ScenarioError lists both files' problems.
 */
function loadPipeline(
  path: string,
  check: { directory: string; models: readonly Record<string, unknown>[]; graph: ImportFile } | undefined,
): CompiledPipelineConfig {
  if (!check) return loadPipelineConfigFile(path);
  try {
    return loadPipelineConfigFile(path, { models: check.models });
  } catch (error) {
    if (!(error instanceof ConfigError) || check.models.length === 0) throw error;
    const graphProblems = checkGraphAgainstModels(check.graph, buildModelIndex([...check.models]), join(check.directory, 'graph.ndjson'));
    if (graphProblems.length === 0) throw error;
    throw new ScenarioError(check.directory, [...graphProblems, ...error.locatedIssues]);
  }
}

export function loadScenario(directory: string, options: LoadScenarioOptions = {}): Scenario {
  const dir = resolve(directory);
  if (!existsSync(dir))
    throw new Error(
      `Scenario directory ${dir} does not exist. Pass --scenario <dir> holding models/, graph.ndjson and optionally pipeline.yaml, or create one: npm run new-scenario -- ${directory}`,
    );
  const modelsDir = join(dir, 'models');
  const models: Record<string, unknown>[] = [];
  if (existsSync(modelsDir)) {
    for (const file of readdirSync(modelsDir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const value = readJson(join(modelsDir, file));
      for (const model of Array.isArray(value) ? value : [value]) models.push(model as Record<string, unknown>);
    }
  }
  const graphPath = join(dir, 'graph.ndjson');
  if (!existsSync(graphPath))
    throw new Error(
      `${graphPath} is missing: a scenario needs its twin graph in ADT import-job format (Header, Models, Twins, Relationships sections).`,
    );
  const graphText = readFileSync(graphPath, 'utf8');
  const graph = parseImportFile(graphText, graphPath);
  // Models may come from models/ or from the import file's Models section (or both).
  for (const model of graph.models) if (!models.some((m) => m['@id'] === model['@id'])) models.push(model);
  const pipelineConfigPath = pipelineFileNames.map((f) => join(dir, f)).find((p) => existsSync(p));
  const pipeline = pipelineConfigPath
    ? loadPipeline(pipelineConfigPath, options.check === false ? undefined : { directory: dir, models, graph })
    : defaultPipelineConfig();
  if (options.check !== false) {
    const problems = checkScenario({ directory: dir, models, graph, pipeline });
    if (problems.length > 0) throw new ScenarioError(dir, problems);
  }
  const simulatorPath = join(dir, 'simulator.json');
  const telemetryPath = join(dir, 'telemetry.ndjson');
  return {
    directory: dir,
    name: dir.split(/[\\/]/).pop() ?? dir,
    models,
    graphText,
    graph,
    pipelineConfigPath: pipelineConfigPath ?? '',
    pipeline,
    ...(existsSync(simulatorPath) ? { simulatorPath } : {}),
    ...(existsSync(telemetryPath) ? { telemetryPath } : {}),
  };
}

export function readTelemetryFile(path: string): TelemetryEnvelope[] {
  if (!existsSync(path))
    throw new Error(`Telemetry file ${path} does not exist. Generate one with: npm run simulate -- --scenario <dir> --out ${path}`);
  return parseEnvelopes(readFileSync(path, 'utf8'), path);
}
