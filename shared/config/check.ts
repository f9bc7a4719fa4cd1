// Every problem of a configuration file in one run, each with its line: the schema's, then — for
// the parts the schema accepts — the compilers' (templates, JSONata syntax and functions, roll-up
// semantics) and, when the models are at hand (runner, map, reconcile), the model checks. Before,
// each stage stopped the next, so a file with three mistakes took three runs.

import type { ModelIndex } from '../dtdl';
import { buildModelIndex } from '../dtdl';
import { checkIngestAgainstModels } from '../ingest';
import { checkRollupsAgainstModels } from '../rollup';
import { compileSections } from './compile';
import { ConfigError } from './errors';
import { leadingPath, type PathSegment, pathText, rollupProblemPath, SourcePositions } from './positions';
import { pruneInvalid } from './prune';
import type { CompiledPipelineConfig, PipelineConfigFile } from './types';
import { schemaErrors, validatePipelineConfig } from './validate';

export interface CheckOptions {
  /** DTDL interfaces the configuration will meet: its rules are checked against them too. */
  models?: readonly Record<string, unknown>[];
}

const isPrefix = (prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean =>
  prefix.length <= path.length && prefix.every((segment, i) => String(segment) === String(path[i]));

/** A compiler's problem, its path moved from the pruned copy back to the file. */
function inFileCoordinates(
  issue: string,
  originalPath: (path: readonly PathSegment[]) => PathSegment[],
): { text: string; path?: PathSegment[] } {
  const lead = leadingPath(issue);
  if (!lead) return { text: issue };
  const path = originalPath(lead.segments);
  return { text: `${pathText(path)}${lead.rest}`, path };
}

function modelProblems(sections: ReturnType<typeof compileSections>, index: ModelIndex): string[] {
  const rollups = sections.config.compiledRollups ?? sections.partialRollups;
  return [...checkIngestAgainstModels(sections.config.ingest, index), ...(rollups ? checkRollupsAgainstModels(rollups, index) : [])];
}

/** Validates, compiles and (with models) checks a parsed file; throws one ConfigError with every problem and its line. */
export function checkPipelineConfig(value: unknown, text: string, origin: string, options: CheckOptions = {}): CompiledPipelineConfig {
  const schemaProblems = validatePipelineConfig(value);
  const found: Array<{ text: string; path?: PathSegment[] }> = schemaProblems.map((problem) => {
    const path = leadingPath(problem)?.segments;
    return { text: problem, ...(path && { path }) };
  });
  let file: unknown = value;
  let originalPath = (path: readonly PathSegment[]): PathSegment[] => [...path];
  let removed: PathSegment[][] = [];
  if (schemaProblems.length > 0) {
    const pruned = pruneInvalid(value, schemaErrors);
    file = pruned?.value;
    if (pruned) ({ originalPath, removed } = pruned);
  }
  let compiled: CompiledPipelineConfig | undefined;
  if (file !== undefined) {
    const sections = compileSections((file ?? {}) as PipelineConfigFile, origin);
    const models = options.models && options.models.length > 0 ? buildModelIndex([...options.models]) : undefined;
    const later = [...sections.issues, ...(models ? modelProblems(sections, models) : [])].map((issue) =>
      inFileCoordinates(issue, originalPath),
    );
    // "maps nothing" about a rule whose mappings the schema refused repeats the schema's problem.
    found.push(...later.filter((issue) => !issue.path || !removed.some((gone) => isPrefix(issue.path as PathSegment[], gone))));
    if (found.length === 0) compiled = sections.config;
  }
  if (compiled) return compiled;
  throw locatedError(origin, text, value, found.length > 0 ? found : [{ text: '(root): is invalid' }]);
}

/** The ConfigError, each problem with its line and column, in file order. */
function locatedError(
  origin: string,
  text: string,
  value: unknown,
  found: ReadonlyArray<{ text: string; path?: PathSegment[] }>,
): ConfigError {
  const positions = new SourcePositions(text);
  const located = [...new Set(found.map((f) => f.text))].map((issueText) => {
    // A roll-up problem names its rule (`rollups: Roll-up rule "a", …`): that is more exact than its leading path.
    const path = rollupProblemPath(issueText, value) ?? found.find((f) => f.text === issueText)?.path;
    return { text: issueText, position: path ? positions.positionOf(path) : undefined };
  });
  const order = located
    .map((l, i) => ({ ...l, i }))
    .sort((a, b) => (a.position?.line ?? Infinity) - (b.position?.line ?? Infinity) || a.i - b.i);
  return new ConfigError(
    origin,
    order.map((l) => l.text),
    order.map((l) => l.position),
  );
}
