// Reads the children that count for a rule, in the rule's read mode:
//   view  (default) the per-parent view kept current by notifications; loaded once by one paged
//         query (or, without a query API, by the API) and re-read after the query lag;
//   api   relationships and every child by GET (consistent; one read per child);
//   query one paged query per recompute (may lag).
import type { Twin } from '../../adt';
import type { CallOptions, ModelHierarchy, RollupPort } from '../port';
import type { CompiledRollupRule, CompiledRollups } from '../rules';
import { childCounts, RollupEvaluationError } from '../rules';
import type { ChildViews, LoadedChild } from './childView';
import { listChildLinks, relationshipKey } from './links';
import type { ParentIndex } from './parentIndex';

export interface ChildReadDeps {
  compiled: CompiledRollups;
  port: RollupPort;
  models: ModelHierarchy;
  parentIndex: ParentIndex;
  /** Views kept current by the propagator; without them `view` rules read as `api`. */
  views?: ChildViews;
  /** A view was (re)loaded; `viaQuery` = it may trail ADT by the query lag. */
  onViewLoaded?: (rule: CompiledRollupRule, parentId: string, viaQuery: boolean) => void;
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

export class TooManyChildrenError extends RollupEvaluationError {
  constructor(rule: CompiledRollupRule, parentId: string, count: number, max: number) {
    super(
      `Parent ${parentId} has ${count} children for roll-up rule "${rule.name}", more than rollups.settings.maxChildren (${max}). Raise maxChildren (up to 100000) if this parent really has that many children.`,
    );
    this.name = 'TooManyChildrenError';
  }
}

async function viaApi(
  rule: CompiledRollupRule,
  parentId: string,
  deps: ChildReadDeps,
  cache: ChildCache,
  call: CallOptions,
): Promise<LoadedChild[]> {
  const links = await listChildLinks(rule, parentId, deps.port, call);
  const max = deps.compiled.settings.maxChildren;
  if (links.length > max) throw new TooManyChildrenError(rule, parentId, links.length, max);
  const read = await mapLimit(links, CHILD_READ_CONCURRENCY, (link) => {
    let pending = cache.get(link.childId);
    if (!pending) {
      // A child deleted since the relationship list was read simply no longer counts.
      pending = deps.port.getTwin(link.childId, call).then((snap) => snap?.twin);
      cache.set(link.childId, pending);
    }
    return pending.then((twin) => (twin ? { link, twin } : undefined));
  });
  return read.filter((c): c is LoadedChild => c !== undefined);
}

async function viaQuery(rule: CompiledRollupRule, parentId: string, deps: ChildReadDeps, call: CallOptions): Promise<LoadedChild[]> {
  const query = deps.port.queryChildren;
  if (!query)
    throw new RollupEvaluationError(
      `Roll-up rule "${rule.name}" asks for read: query, but the ADT adapter offers no query; remove "read: query".`,
    );
  const byId = new Map<string, LoadedChild>();
  for (const name of rule.relationships) {
    for (const row of await query.call(deps.port, parentId, name, rule.direction, call)) {
      byId.set(row.twin.$dtId, {
        twin: row.twin,
        link: { childId: row.twin.$dtId, relationshipKey: relationshipKey(row.sourceId, row.relationshipId) },
      });
    }
  }
  const max = deps.compiled.settings.maxChildren;
  if (byId.size > max) throw new TooManyChildrenError(rule, parentId, byId.size, max);
  return [...byId.values()];
}

/** Loads (or re-reads) the parent's view: by query when the port has one, else by the API. */
export async function loadView(
  rule: CompiledRollupRule,
  parentId: string,
  deps: ChildReadDeps,
  cache: ChildCache,
  call: CallOptions,
): Promise<void> {
  const views = deps.views;
  if (!views) return;
  const viaQueryApi = deps.port.queryChildren !== undefined;
  const loaded = viaQueryApi ? await viaQuery(rule, parentId, deps, call) : await viaApi(rule, parentId, deps, cache, call);
  views.install(rule, parentId, loaded, viaQueryApi);
  deps.onViewLoaded?.(rule, parentId, viaQueryApi);
}

async function fromView(
  rule: CompiledRollupRule,
  parentId: string,
  deps: ChildReadDeps & { views: ChildViews },
  cache: ChildCache,
  call: CallOptions,
): Promise<Twin[]> {
  let twins = deps.views.children(rule, parentId);
  if (!twins) {
    await loadView(rule, parentId, deps, cache, call);
    twins = deps.views.children(rule, parentId) ?? [];
  }
  const max = deps.compiled.settings.maxChildren;
  if (twins.length > max) throw new TooManyChildrenError(rule, parentId, twins.length, max);
  return twins;
}

export async function readChildren(
  rule: CompiledRollupRule,
  parentId: string,
  deps: ChildReadDeps,
  cache: ChildCache,
  call: CallOptions,
): Promise<Twin[]> {
  let twins: Twin[];
  if (rule.read === 'view' && deps.views) twins = await fromView(rule, parentId, { ...deps, views: deps.views }, cache, call);
  else if (rule.read === 'query') twins = (await viaQuery(rule, parentId, deps, call)).map((c) => c.twin);
  else twins = (await viaApi(rule, parentId, deps, cache, call)).map((c) => c.twin);
  const counted: Twin[] = [];
  for (const twin of twins) {
    deps.parentIndex.remember(twin.$dtId, parentId);
    if (rule.childModel !== undefined && !(await deps.models.isA(twin.$metadata.$model, rule.childModel, call))) continue;
    if (await childCounts(rule, twin)) counted.push(twin);
  }
  return counted;
}
