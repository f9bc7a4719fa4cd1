// The final twin hierarchy as text: roots are twins nothing points at, children follow relationships.
import type { GraphDump, JsonObject, JsonValue } from './snapshot';

function modelName(twin: JsonObject): string {
  const model = (twin.$metadata as JsonObject | undefined)?.$model;
  const match = typeof model === 'string' ? /:([^:;]+);\d+$/.exec(model) : null;
  return match?.[1] ?? String(model ?? '?');
}

function show(value: JsonValue): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value);
}

function properties(twin: JsonObject): string {
  return Object.keys(twin)
    .filter((k) => !k.startsWith('$'))
    .sort()
    .map((k) => `${k}=${show(twin[k] as JsonValue)}`)
    .join(' ');
}

export function renderTree(graph: GraphDump): string {
  const twins = new Map(graph.twins.map((t) => [String(t.$dtId), t]));
  const children = new Map<string, string[]>();
  const hasParent = new Set<string>();
  for (const r of graph.relationships) {
    const source = String(r.$sourceId);
    const target = String(r.$targetId);
    children.set(source, [...(children.get(source) ?? []), target]);
    hasParent.add(target);
  }
  const lines: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string, prefix: string, last: boolean, root: boolean): void => {
    const twin = twins.get(id);
    const label = twin ? `${id} (${modelName(twin)})${properties(twin) ? ` ${properties(twin)}` : ''}` : `${id} (missing)`;
    lines.push(root ? label : `${prefix}${last ? '└─ ' : '├─ '}${label}`);
    if (seen.has(id)) return; // a cycle or a shared child: print it, do not descend twice
    seen.add(id);
    const kids = [...new Set(children.get(id) ?? [])].sort();
    const childPrefix = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
    kids.forEach((kid, i) => visit(kid, childPrefix, i === kids.length - 1, false));
  };
  const roots = [...twins.keys()].filter((id) => !hasParent.has(id)).sort();
  for (const root of roots) visit(root, '', true, true);
  return lines.join('\n');
}
