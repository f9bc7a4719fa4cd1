// Reads the children that count for a rule: relationships and twins through the API (consistent),
// or one query per relationship when the rule opts into `read: query`.
import type { Twin } from '../adt';
import type { CompiledRollups, CompiledRule } from './compile';
import { childCounts, RollupEvaluationError } from './evaluate';
import type { ModelHierarchy } from './models';
import type { ParentIndex } from './parentIndex';
import type { CallOptions, RollupPort } from './ports';

export interface ChildReadDeps {
  compiled: CompiledRollups;
  port: RollupPort;
  models: ModelHierarchy;
  parentIndex: ParentIndex;
}

/** Twins already read in this recompute attempt, shared by the parent's rules. */
export type ChildCache = Map<string, Promise<Twin | undefined>>;

const CHILD_READ_CONCURRENCY = 8;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function childIds(rule: CompiledRule, parentId: string, deps: ChildReadDeps, call: CallOptions): Promise<string[]> {
  const ids = new Set<string>();
  for (const name of rule.relationships) {
    for (const link of await deps.port.listOutgoing(parentId, name, call)) ids.add(link.targetId);
  }
  return [...ids];
}

async function viaQuery(rule: CompiledRule, parentId: string, deps: ChildReadDeps, call: CallOptions): Promise<Twin[]> {
  const query = deps.port.queryChildren;
  if (!query) throw new RollupEvaluationError(`Roll-up rule "${rule.name}" asks for read: query, but the ADT adapter offers no query; remove "read: query".`);
  const byId = new Map<string, Twin>();
  for (const name of rule.relationships) for (const twin of await query.call(deps.port, parentId, name, call)) byId.set(twin.$dtId, twin);
  return [...byId.values()];
}

function tooMany(rule: CompiledRule, parentId: string, count: number, max: number): RollupEvaluationError {
  return new RollupEvaluationError(
    `Parent ${parentId} has ${count} children for roll-up rule "${rule.name}", more than rollups.settings.maxChildren (${max}). Raise maxChildren or set read: query on the rule.`,
  );
}

export async function readChildren(rule: CompiledRule, parentId: string, deps: ChildReadDeps, cache: ChildCache, call: CallOptions): Promise<Twin[]> {
  const max = deps.compiled.settings.maxChildren;
  let twins: Twin[];
  if (rule.read === 'query') {
    twins = await viaQuery(rule, parentId, deps, call);
    if (twins.length > max) throw tooMany(rule, parentId, twins.length, max);
  } else {
    const ids = await childIds(rule, parentId, deps, call);
    if (ids.length > max) throw tooMany(rule, parentId, ids.length, max);
    const read = await mapLimit(ids, CHILD_READ_CONCURRENCY, (id) => {
      let pending = cache.get(id);
      if (!pending) {
        // A child deleted since the relationship list was read simply no longer counts.
        pending = deps.port.getTwin(id, call).then((snap) => snap?.twin);
        cache.set(id, pending);
      }
      return pending;
    });
    twins = read.filter((t): t is Twin => t !== undefined);
  }
  const counted: Twin[] = [];
  for (const twin of twins) {
    deps.parentIndex.remember(twin.$dtId, parentId);
    if (rule.childModel !== undefined && !(await deps.models.isA(twin.$metadata.$model, rule.childModel, call))) continue;
    if (await childCounts(rule, twin)) counted.push(twin);
  }
  return counted;
}
