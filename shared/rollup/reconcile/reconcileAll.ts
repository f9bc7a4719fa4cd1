// Reconcile: computes every derived value from the current graph, level by level in the rules'
// dependency order, and writes what differs. This is the backfill for values no notification
// triggers (twins that existed before deployment, a rule added later, a parent whose children
// never report) and the safety net for anything a notification missed.
//
// Cost: a few paged queries per level (parents by model, links by relationship name, children
// by model) instead of reads per parent; writes only where a value differs. The query index may
// trail writes by up to the query lag, so values this run wrote are overlaid on what later levels
// read, and a parent whose query copy is stale (412 on write) is recomputed through the API.
import type { Twin } from '../../adt';
import { startLimited } from '../../common';
import type { RecomputeDeps, RuleFailure } from '../engine';
import { describeRollupError, isPermanentRollupError, planWrite, recomputeParent } from '../engine';
import type { CallOptions, ModelHierarchy, RollupPort } from '../port';
import { quoteQueryString } from '../port';
import type { CompiledRollupRule, CompiledRollups } from '../rules';
import { childCounts, evaluateRule, ruleLevels } from '../rules';

export interface ReconcileProgress {
  level: number;
  levels: number;
  rule: string;
  done: number;
  total: number;
}

export interface ReconcileSummary {
  levels: number;
  parents: number;
  written: number;
  unchanged: number;
  /** Parents whose query copy was stale: recomputed through the API instead. */
  viaApi: number;
  failures: (RuleFailure & { parentId: string })[];
  queries: number;
  durationMs: number;
}

export interface ReconcileDeps {
  compiled: CompiledRollups;
  /** Needs `query`: reconcile reads whole levels by query. */
  port: RollupPort;
  models: ModelHierarchy;
  /** Consistent fallback for a parent that changed since the query saw it. */
  recompute: Omit<RecomputeDeps, 'compiled' | 'port' | 'models'>;
  onProgress?: (progress: ReconcileProgress) => void;
  /** Parallel parent writes (the gateway still enforces ADT's budgets). Default 8. */
  concurrency?: number;
  /** Only these rules (by name); default every rule. Parents above them follow through the
   * notifications their writes cause, as after any change. */
  rules?: ReadonlySet<string>;
  now?: () => number;
}

interface RelationshipRow {
  $relationshipId: string;
  $sourceId: string;
  $targetId: string;
  $relationshipName: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every twin of a model (inheritance included), or every twin. */
function twinsQuery(model: string | undefined): string {
  return model === undefined
    ? 'SELECT T FROM DIGITALTWINS T'
    : `SELECT T FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, ${quoteQueryString(model)})`;
}

class GraphReader {
  private readonly twinSets = new Map<string, Promise<Map<string, Twin>>>();
  private readonly linkSets = new Map<string, Promise<RelationshipRow[]>>();
  queries = 0;

  constructor(
    private readonly query: NonNullable<RollupPort['query']>,
    private readonly overlay: Map<string, Twin>,
  ) {}

  /** Twins by id, with this run's own writes laid over the (possibly lagging) query copies. */
  async twins(model: string | undefined): Promise<Map<string, Twin>> {
    const key = model ?? '*';
    let pending = this.twinSets.get(key);
    if (!pending) {
      this.queries += 1;
      pending = this.query(twinsQuery(model)).then((rows) => {
        const byId = new Map<string, Twin>();
        for (const row of rows) {
          const twin = isRecord(row) && isRecord(row.T) ? (row.T as unknown as Twin) : undefined;
          if (twin && typeof twin.$dtId === 'string') byId.set(twin.$dtId, twin);
        }
        return byId;
      });
      this.twinSets.set(key, pending);
    }
    const base = await pending;
    for (const [id, twin] of this.overlay) if (base.has(id)) base.set(id, twin);
    return base;
  }

  async links(name: string): Promise<RelationshipRow[]> {
    let pending = this.linkSets.get(name);
    if (!pending) {
      this.queries += 1;
      pending = this.query(`SELECT R FROM RELATIONSHIPS R WHERE R.$relationshipName = ${quoteQueryString(name)}`).then((rows) =>
        rows.flatMap((row) => {
          const rel = isRecord(row) && isRecord(row.R) ? row.R : row;
          return isRecord(rel) && typeof rel.$sourceId === 'string' && typeof rel.$targetId === 'string'
            ? [rel as unknown as RelationshipRow]
            : [];
        }),
      );
      this.linkSets.set(name, pending);
    }
    return pending;
  }
}

/** parentId → child ids, for one rule, from the relationship rows. */
async function childrenByParent(rule: CompiledRollupRule, reader: GraphReader): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const name of rule.relationships) {
    for (const rel of await reader.links(name)) {
      const [parentId, childId] = rule.direction === 'incoming' ? [rel.$targetId, rel.$sourceId] : [rel.$sourceId, rel.$targetId];
      const set = out.get(parentId) ?? new Set<string>();
      set.add(childId);
      out.set(parentId, set);
    }
  }
  return out;
}

function applyOps(twin: Twin, ops: ReturnType<typeof planWrite>['ops']): Twin {
  const copy = structuredClone(twin);
  for (const op of ops) {
    const [first, second, third] = op.path.split('/').slice(1);
    if (first === '$metadata' && second !== undefined && third !== undefined) {
      ((copy.$metadata[second] ??= {}) as Record<string, unknown>)[third] = op.value;
    } else if (first !== undefined && op.op === 'remove') {
      delete copy[first];
      delete copy.$metadata[first];
    } else if (first !== undefined) {
      copy[first] = op.value;
      copy.$metadata[first] = { ...((copy.$metadata[first] as object | undefined) ?? {}) };
    }
  }
  return copy;
}

export async function reconcileAll(deps: ReconcileDeps): Promise<ReconcileSummary> {
  const now = deps.now ?? Date.now;
  const started = now();
  const overlay = new Map<string, Twin>();
  const query = deps.port.query?.bind(deps.port);
  if (!query) throw new Error('Reconcile reads the graph by query, and this ADT adapter offers no query API.');
  const reader = new GraphReader(query, overlay);
  const only = deps.rules;
  const levels = ruleLevels(deps.compiled)
    .map((level) => (only ? level.filter((rule) => only.has(rule.name)) : level))
    .filter((level) => level.length > 0);
  const summary: ReconcileSummary = {
    levels: levels.length,
    parents: 0,
    written: 0,
    unchanged: 0,
    viaApi: 0,
    failures: [],
    queries: 0,
    durationMs: 0,
  };
  const call: CallOptions = {};
  for (const [index, rules] of levels.entries()) {
    // Rules of one parent model are written together, in one patch per parent.
    const byModel = new Map<string, CompiledRollupRule[]>();
    for (const rule of rules) byModel.set(rule.parentModel, [...(byModel.get(rule.parentModel) ?? []), rule]);
    for (const [parentModel, modelRules] of byModel) {
      const parents = [...(await reader.twins(parentModel)).values()];
      const children = await Promise.all(
        modelRules.map(async (rule) => ({
          rule,
          byParent: await childrenByParent(rule, reader),
          twins: await reader.twins(rule.childModel),
        })),
      );
      let done = 0;
      const label = modelRules.map((r) => r.name).join(', ');
      await Promise.all(
        startLimited(parents, deps.concurrency ?? 8, async (parent) => {
          await reconcileParent(parent, children, deps, summary, overlay, call);
          done += 1;
          deps.onProgress?.({ level: index + 1, levels: levels.length, rule: label, done, total: parents.length });
        }),
      );
    }
  }
  summary.queries = reader.queries;
  summary.durationMs = now() - started;
  return summary;
}

async function reconcileParent(
  parent: Twin,
  rules: { rule: CompiledRollupRule; byParent: Map<string, Set<string>>; twins: Map<string, Twin> }[],
  deps: ReconcileDeps,
  summary: ReconcileSummary,
  overlay: Map<string, Twin>,
  call: CallOptions,
): Promise<void> {
  summary.parents += 1;
  const parentId = parent.$dtId;
  const derived = [];
  for (const { rule, byParent, twins } of rules) {
    try {
      const kids: Twin[] = [];
      for (const id of byParent.get(parentId) ?? []) {
        const child = twins.get(id);
        if (child && (await childCounts(rule, child))) kids.push(child);
      }
      derived.push(...(await evaluateRule(rule, kids)));
    } catch (error) {
      if (!isPermanentRollupError(error)) throw error;
      summary.failures.push({
        parentId,
        rule: rule.name,
        reason: 'expression',
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const plan = planWrite(parent, derived, deps.compiled.settings.floatTolerance);
  if (plan.ops.length === 0) {
    summary.unchanged += 1;
    return;
  }
  const etag = typeof parent.$etag === 'string' ? parent.$etag : undefined;
  const result =
    etag === undefined
      ? { kind: 'preconditionFailed' as const }
      : await deps.port.updateTwin(parentId, plan.ops, { ...call, ifMatch: etag }).catch((error: unknown) => {
          if (!isPermanentRollupError(error)) throw error;
          summary.failures.push(
            ...rules.map(({ rule }) => ({ parentId, rule: rule.name, reason: 'rejectedWrite', detail: describeRollupError(error) })),
          );
          return { kind: 'failed' as const };
        });
  if (result.kind === 'written') {
    summary.written += 1;
    overlay.set(parentId, applyOps(parent, plan.ops));
    return;
  }
  if (result.kind !== 'preconditionFailed') return;
  // The query copy was stale (the index lags, or someone wrote meanwhile): recompute consistently.
  summary.viaApi += 1;
  const outcome = await recomputeParent(
    parentId,
    { rules: new Set(rules.map((r) => r.rule.name)), traceparent: undefined },
    { compiled: deps.compiled, port: deps.port, models: deps.models, ...deps.recompute },
  );
  if (outcome.status === 'written') summary.written += 1;
  else if (outcome.status === 'unchanged') summary.unchanged += 1;
  summary.failures.push(...outcome.failures.map((f) => ({ parentId, ...f })));
  const fresh = await deps.port.getTwin(parentId, call);
  if (fresh) overlay.set(parentId, fresh.twin);
}
