// The (model, property) dependency graph of roll-up rules and its cycle check. Pure: model
// inheritance, when known at load, comes in as a function.

/** One derived property: `property` written by `rule` on twins of `model`. */
export interface DerivedNode {
  rule: string;
  model: string;
  property: string;
}

/** What a rule reads from its children. */
export interface RuleInputs {
  rule: string;
  parentModel: string;
  /** undefined = children of any model. */
  childModel: string | undefined;
  childProperties: ReadonlySet<string>;
  targets: readonly string[];
}

/** True when a twin of `model` may also be a twin of `base` (same model or related by extends). */
export type ModelsOverlap = (model: string, base: string) => boolean;

export const sameModelOnly: ModelsOverlap = (a, b) => a === b;

export interface DependencyGraph {
  nodes: DerivedNode[];
  /** edges[i] = indexes of nodes whose value is computed from node i. */
  edges: number[][];
}

export function buildDependencyGraph(rules: readonly RuleInputs[], overlap: ModelsOverlap = sameModelOnly): DependencyGraph {
  const nodes: DerivedNode[] = [];
  const owner: RuleInputs[] = [];
  for (const rule of rules) {
    for (const property of rule.targets) {
      nodes.push({ rule: rule.rule, model: rule.parentModel, property });
      owner.push(rule);
    }
  }
  const edges = nodes.map((from) =>
    nodes.flatMap((_, j) => {
      const reader = owner[j];
      if (!reader || !reader.childProperties.has(from.property)) return [];
      // A rule without childModel reads every child model, including the writer's.
      const modelMatches =
        reader.childModel === undefined || overlap(from.model, reader.childModel) || overlap(reader.childModel, from.model);
      return modelMatches ? [j] : [];
    }),
  );
  return { nodes, edges };
}

/** The first cycle found, as a closed path of nodes (first === last), or undefined. */
export function findCycle(graph: DependencyGraph): DerivedNode[] | undefined {
  const state = new Array<'new' | 'open' | 'done'>(graph.nodes.length).fill('new');
  const stack: number[] = [];
  const visit = (i: number): number[] | undefined => {
    state[i] = 'open';
    stack.push(i);
    for (const j of graph.edges[i] ?? []) {
      if (state[j] === 'open') return [...stack.slice(stack.indexOf(j)), j];
      if (state[j] === 'new') {
        const found = visit(j);
        if (found) return found;
      }
    }
    stack.pop();
    state[i] = 'done';
    return undefined;
  };
  for (let i = 0; i < graph.nodes.length; i++) {
    if (state[i] !== 'new') continue;
    const cycle = visit(i);
    if (cycle) return cycle.map((k) => graph.nodes[k] as DerivedNode);
  }
  return undefined;
}

/** Longest chain of derived properties (1 = no rule feeds another); sizes the default hop limit. */
export function longestChain(graph: DependencyGraph): number {
  const memo = new Map<number, number>();
  const depth = (i: number): number => {
    const known = memo.get(i);
    if (known !== undefined) return known;
    const d = 1 + Math.max(0, ...(graph.edges[i] ?? []).map(depth));
    memo.set(i, d);
    return d;
  };
  return Math.max(0, ...graph.nodes.map((_, i) => depth(i)));
}

export function describeCycle(cycle: readonly DerivedNode[]): string {
  return cycle.map((n) => `${n.model}.${n.property} (rule "${n.rule}")`).join(' → ');
}
