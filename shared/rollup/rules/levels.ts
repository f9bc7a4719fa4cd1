// The rules' dependency order: a rule comes after every rule whose derived values it reads, so
// computing level by level reads each input once it is final (thermostats → rooms → floors → ...).
import type { CompiledRollupRule, CompiledRollups } from './compile';

/** Rules grouped by level, lowest first; rules in one level do not read each other. */
export function ruleLevels(compiled: Pick<CompiledRollups, 'rules' | 'graph'>): CompiledRollupRule[][] {
  const { nodes, edges } = compiled.graph;
  const depth = new Array<number>(nodes.length).fill(0);
  // The graph is acyclic (checked at load), so relaxing edges |nodes| times settles every depth.
  for (let round = 0; round < nodes.length; round++) {
    let moved = false;
    edges.forEach((targets, from) => {
      for (const to of targets) {
        if ((depth[to] as number) < (depth[from] as number) + 1) {
          depth[to] = (depth[from] as number) + 1;
          moved = true;
        }
      }
    });
    if (!moved) break;
  }
  const levelOf = new Map<string, number>();
  nodes.forEach((node, i) => levelOf.set(node.rule, Math.max(levelOf.get(node.rule) ?? 0, depth[i] as number)));
  const levels: CompiledRollupRule[][] = [];
  for (const rule of compiled.rules) {
    const level = levelOf.get(rule.name) ?? 0;
    (levels[level] ??= []).push(rule);
  }
  return levels.filter((l) => l.length > 0);
}
