// Splits an ontology into POST /models calls that ADT accepts: at most 250 models per call, and every
// model's dependencies either already uploaded or in the same call. Models that reference each other
// (Room hasPoint Point, Point isPointOf Room) form a cycle and must travel together.

/** A DTDL interface as read from a file: only `@id` is needed here. */
export type ModelDocument = Record<string, unknown>;

export const MAX_MODELS_PER_CALL = 250;

/** Every DTMI string inside `value` (extends, component schemas, relationship targets, nested ids). */
function referencedIds(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (value.startsWith('dtmi:')) into.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) referencedIds(item, into);
  }
}

/**
 * Batches in upload order. `alreadyUploaded` ids count as satisfied. Throws when a set of mutually
 * dependent models is larger than one call allows (ADT could not accept it either).
 */
export function planModelUpload(models: readonly ModelDocument[], maxPerCall: number = MAX_MODELS_PER_CALL): ModelDocument[][] {
  const byId = new Map<string, ModelDocument>();
  for (const model of models) byId.set(String(model['@id']), model);
  const dependencies = new Map<string, string[]>();
  for (const [id, model] of byId) {
    const found = new Set<string>();
    referencedIds(model, found);
    dependencies.set(
      id,
      [...found].filter((ref) => ref !== id && byId.has(ref)),
    );
  }
  const groups = stronglyConnected([...byId.keys()], (id) => dependencies.get(id) ?? []);
  const batches: ModelDocument[][] = [];
  let current: ModelDocument[] = [];
  for (const group of groups) {
    if (group.length > maxPerCall) {
      throw new Error(
        `${group.length} models depend on each other in a cycle (${group.slice(0, 5).join(', ')}, …), more than the ${maxPerCall} one POST /models call accepts. Break the cycle in the models.`,
      );
    }
    if (current.length + group.length > maxPerCall) {
      batches.push(current);
      current = [];
    }
    for (const id of group) current.push(byId.get(id) as ModelDocument);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Tarjan's algorithm, iterative (ontologies have extends chains deeper than a comfortable call stack).
 * Components come out dependencies-first, which is exactly the upload order.
 */
function stronglyConnected(nodes: string[], edges: (node: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const result: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; next: number };
      const targets = edges(frame.node);
      if (frame.next < targets.length) {
        const target = targets[frame.next++] as string;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(target) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        result.push(component.reverse());
      }
    }
  }
  return result;
}
