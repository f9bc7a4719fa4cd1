// The graph as text for docs: Mermaid (renders on GitHub) and Graphviz DOT. One node per twin with its
// model, its states' badges (twinStatus.ts: connection, conditions, stale) and values, derived values
// followed by [rule]; one edge per relationship labelled by name.
import { type GraphView, showValue, type TwinView } from './graphView';

function lines(twin: TwinView): string[] {
  return [
    `${twin.id} (${twin.modelName})`,
    ...(twin.status && twin.status.badges.length > 0 ? [twin.status.badges.join('  ')] : []),
    ...twin.properties.map((p) => `${p.name}: ${showValue(p.value)}${p.derived ? ` [${p.derived.rule}]` : ''}`),
  ];
}

/** Mermaid labels are quoted strings where `"`, `<`, `>` and `|` must be entity codes. */
function mermaidText(value: string): string {
  return value.replace(/[#"<>|]/g, (c) => `#${c.charCodeAt(0)};`);
}

export function toMermaid(graph: GraphView): string {
  const ids = new Map(graph.twins.map((t, i) => [t.id, `n${i + 1}`]));
  const out = ['flowchart TD'];
  for (const twin of graph.twins) out.push(`  ${ids.get(twin.id)}["${lines(twin).map(mermaidText).join('<br/>')}"]`);
  for (const r of graph.relationships) {
    const source = ids.get(r.source);
    const target = ids.get(r.target);
    // A relationship to a twin that is not in the graph would make Mermaid invent a node; leave it out.
    if (source && target) out.push(`  ${source} -->|${mermaidText(r.name)}| ${target}`);
  }
  graph.models.forEach((model, i) => {
    const members = graph.twins.filter((t) => t.model === model.id).map((t) => ids.get(t.id));
    out.push(`  classDef m${i + 1} fill:${model.colour},stroke:#333,color:#fff`);
    if (members.length > 0) out.push(`  class ${members.join(',')} m${i + 1}`);
  });
  return `${out.join('\n')}\n`;
}

function dotString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

export function toDot(graph: GraphView): string {
  const out = [
    'digraph twins {',
    '  rankdir=TB;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontcolor="white"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const twin of graph.twins)
    out.push(`  ${dotString(twin.id)} [label=${dotString(lines(twin).join('\n'))}, fillcolor=${dotString(twin.colour)}];`);
  for (const r of graph.relationships) out.push(`  ${dotString(r.source)} -> ${dotString(r.target)} [label=${dotString(r.name)}];`);
  out.push('}');
  return `${out.join('\n')}\n`;
}
