// `npm run local -- --graph <file>`: the run's final state as one self-contained HTML page (library,
// script and data inlined; nothing fetched when it is opened), or as Mermaid / Graphviz DOT text.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import type { Scenario } from '../scenario';
import { buildGraphView, type GraphView, type WireDocument } from './graphView';
import { type DeadLetterView, renderPage } from './page';
import { derivationsWithStates, loadScenarioPipeline, ruleListOf, statusRulesOf } from './scenarioRules';
import { toDot, toMermaid } from './textExports';

export const graphFormats = ['html', 'mermaid', 'dot'] as const;
export type GraphFormat = (typeof graphFormats)[number];

/** Without --graph-format: .mmd/.mermaid → mermaid, .dot/.gv → dot, anything else → html. */
export function graphFormatOf(file: string, format?: GraphFormat): GraphFormat {
  if (format) return format;
  if (/\.(mmd|mermaid)$/i.test(file)) return 'mermaid';
  if (/\.(dot|gv)$/i.test(file)) return 'dot';
  return 'html';
}

export interface GraphExportInput {
  scenario: Scenario;
  twins: readonly WireDocument[];
  relationships: readonly WireDocument[];
  counters: Record<string, unknown>;
  deadLetters: { items: DeadLetterView[]; note?: string };
  /** Default: now. */
  generatedAt?: Date;
}

export function scenarioGraphView(scenario: Scenario, twins: readonly WireDocument[], relationships: readonly WireDocument[]): GraphView {
  const pipeline = loadScenarioPipeline(scenario);
  const derivations = derivationsWithStates(pipeline?.rollups, scenario.models);
  return buildGraphView(
    twins,
    relationships,
    derivations,
    scenario.models.map((m) => String(m['@id'])),
    statusRulesOf(pipeline, scenario.models),
  );
}

export function renderGraphExport(format: GraphFormat, input: GraphExportInput): string {
  const graph = scenarioGraphView(input.scenario, input.twins, input.relationships);
  const rules = ruleListOf(loadScenarioPipeline(input.scenario)?.rollups);
  if (format === 'mermaid') return toMermaid(graph);
  if (format === 'dot') return toDot(graph);
  return renderPage({
    title: `Twin graph: ${input.scenario.name}`,
    mode: 'export',
    generatedAt: (input.generatedAt ?? new Date()).toISOString(),
    graph,
    counters: input.counters,
    deadLetters: input.deadLetters.items,
    ...(input.deadLetters.note && { deadLetterNote: input.deadLetters.note }),
    ...(rules.length > 0 && { rules }),
  });
}

export function writeGraphExport(file: string, format: GraphFormat, input: GraphExportInput): string {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderGraphExport(format, input), 'utf8');
  return path;
}
