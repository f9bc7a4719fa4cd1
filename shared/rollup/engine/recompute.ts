// Recomputes one parent: read it and its children, derive, write with If-Match, and on 412
// start over (bounded). No write when every derived value is unchanged. A rule that fails
// permanently (bad expression, too many children) is reported and the parent's other rules are
// still written; a write ADT refuses permanently fails every rule in it.
import { AdtRequestError, isRetriable, type Twin } from '../../adt';
import { latestSourceTime } from '../../common';
import type { CallOptions } from '../port';
import type { CompiledRollupRule, DerivedValue } from '../rules';
import { evaluateRule, RollupEvaluationError } from '../rules';
import type { ChildReadDeps } from '../views';
import { loadView, readChildren, viewGroupOf } from '../views';
import { continueTrace, traceIdOf } from './derivedTrace';
import { planWrite } from './diff';
import type { HopGuard } from './hopGuard';

export type RecomputeStatus = 'written' | 'unchanged' | 'parentMissing' | 'notApplicable' | 'hopLimit' | 'failed';

/** A rule that could not be applied to a parent, and will not be by retrying. */
export interface RuleFailure {
  rule: string;
  /** Machine-readable: expression, maxChildren, rejectedWrite, adt. */
  reason: string;
  detail: string;
}

export interface RecomputeOutcome {
  parentId: string;
  status: RecomputeStatus;
  /** Derived properties written (or removed). */
  changed: string[];
  unchanged: string[];
  preconditionRetries: number;
  failures: RuleFailure[];
}

export interface RecomputeRequestDetails {
  rules: ReadonlySet<string>;
  /** The cause's trace context. The write continues its trace-id whole (derivedTrace.ts), so the
   * parent's own notification, and every level above, stays in the device's trace. */
  traceparent: string | undefined;
  /** Re-read the parent's views first (the trailing refresh after the query lag). */
  refresh?: boolean;
}

export interface RecomputeDeps extends ChildReadDeps {
  /** The runaway-cycle guard (the propagator's); reconcile, which follows no chain, has none. */
  hops?: Pick<HopGuard, 'allows' | 'record'>;
}

/** The newest sourceTime a planned write stamps (its inputs' newest): part of the hop guard's key. */
function writtenSourceTime(ops: readonly { path: string; value?: unknown }[]): string | undefined {
  return latestSourceTime(ops.flatMap((op) => (op.path.endsWith('/sourceTime') && typeof op.value === 'string' ? [op.value] : [])));
}

/** Errors retrying cannot fix. Everything else fails the invocation so Event Grid redelivers. */
export function isPermanentRollupError(error: unknown): boolean {
  return error instanceof RollupEvaluationError || (error instanceof AdtRequestError && !isRetriable(error));
}

/** A failure as an operator reads it: ADT's status and code first when ADT refused. */
export function describeRollupError(error: unknown): string {
  if (error instanceof AdtRequestError)
    return `${error.status ?? 'no response'} ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' ').trim();
  return error instanceof Error ? error.message : String(error);
}

/** A parent that changed under every recompute attempt: transient, so the invocation fails and is redelivered. */
export class ParentContendedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParentContendedError';
  }
}

function failureOf(rule: string, error: unknown): RuleFailure {
  const detail = describeRollupError(error);
  const reason =
    error instanceof Error && error.name === 'TooManyChildrenError'
      ? 'maxChildren'
      : error instanceof RollupEvaluationError
        ? 'expression'
        : 'adt';
  return { rule, reason, detail };
}

/** True when the parent holds no value for some target of the rule (never computed, or removed). */
const lacksValue = (rule: CompiledRollupRule, parent: Twin): boolean =>
  rule.targets.some((target) => !Object.hasOwn(parent, target.property));

/**
 * The requested rules of the parent's model, plus every rule of its model the parent holds no value
 * for: a rule whose inputs never change (a count of rooms that never report occupancy, a rule added
 * later, a parent created later) still gets its value the first time the parent is recomputed for
 * any reason, instead of waiting for reconcile. A rule whose value is removed when nothing
 * contributes is then read again on each recompute of that parent (from the views by default).
 */
async function applicableRules(
  parent: Twin,
  request: RecomputeRequestDetails,
  deps: RecomputeDeps,
  call: CallOptions,
): Promise<CompiledRollupRule[]> {
  const rules: CompiledRollupRule[] = [];
  for (const rule of deps.compiled.rules) {
    if (
      (request.rules.has(rule.name) || lacksValue(rule, parent)) &&
      (await deps.models.isA(parent.$metadata.$model, rule.parentModel, call))
    )
      rules.push(rule);
  }
  return rules;
}

export async function recomputeParent(parentId: string, request: RecomputeRequestDetails, deps: RecomputeDeps): Promise<RecomputeOutcome> {
  const { settings } = deps.compiled;
  const call: CallOptions = { traceparent: continueTrace(request.traceparent) };
  const traceId = traceIdOf(call.traceparent);
  const outcome = (
    status: RecomputeStatus,
    retries: number,
    changed: string[] = [],
    unchanged: string[] = [],
    failures: RuleFailure[] = [],
  ): RecomputeOutcome => ({
    parentId,
    status,
    changed,
    unchanged,
    preconditionRetries: retries,
    failures,
  });
  let refreshed = !request.refresh;
  // Our own copy of the parent saves the GET when we write: If-Match refuses the write if anyone
  // wrote since. "Unchanged" is never concluded from the copy; that is confirmed by a GET.
  let trustCopy = deps.port.cachedTwin !== undefined;
  for (let retries = 0; retries <= settings.maxPreconditionRetries; retries++) {
    const cached = trustCopy ? deps.port.cachedTwin?.(parentId) : undefined;
    const fromCopy = cached !== undefined;
    const snapshot = cached ?? (await deps.port.getTwin(parentId, call));
    if (!snapshot) return outcome('parentMissing', retries);
    const rules = await applicableRules(snapshot.twin, request, deps, call);
    if (rules.length === 0) return outcome('notApplicable', retries);
    const cache = new Map();
    const derived: DerivedValue[] = [];
    const failures: RuleFailure[] = [];
    const loadedGroups = new Set<string>();
    for (const rule of rules) {
      try {
        if (!refreshed && rule.read === 'view' && deps.views) {
          const group = viewGroupOf(rule);
          if (!loadedGroups.has(group)) await loadView(rule, parentId, deps, cache, call);
          loadedGroups.add(group);
        }
        derived.push(...(await evaluateRule(rule, await readChildren(rule, parentId, deps, cache, call))));
      } catch (error) {
        if (!isPermanentRollupError(error)) throw error;
        failures.push(failureOf(rule.name, error));
      }
    }
    refreshed = true;
    if (derived.length === 0) return outcome('failed', retries, [], [], failures);
    const plan = planWrite(snapshot.twin, derived, settings.floatTolerance);
    if (plan.ops.length === 0 && fromCopy) {
      trustCopy = false;
      retries -= 1; // not a 412: read the parent for real and decide again
      continue;
    }
    if (plan.ops.length === 0) return outcome('unchanged', retries, [], plan.unchanged, failures);
    const newestInput = writtenSourceTime(plan.ops);
    if (deps.hops && !deps.hops.allows(traceId, parentId, newestInput)) return outcome('hopLimit', retries, [], plan.unchanged, failures);
    let result;
    try {
      result = await deps.port.updateTwin(parentId, plan.ops, { ...call, ifMatch: snapshot.etag });
    } catch (error) {
      if (!isPermanentRollupError(error)) throw error;
      // ADT refused the patch itself (e.g. the parent model lacks the property): every rule in it failed.
      const detail = describeRollupError(error);
      return outcome('failed', retries, [], plan.unchanged, [
        ...failures,
        ...rules.filter((r) => !failures.some((f) => f.rule === r.name)).map((r) => ({ rule: r.name, reason: 'rejectedWrite', detail })),
      ]);
    }
    if (result.kind === 'written') {
      deps.hops?.record(traceId, parentId, newestInput);
      return outcome('written', retries, plan.changed, plan.unchanged, failures);
    }
    if (result.kind === 'twinNotFound') return outcome('parentMissing', retries);
    // 412: someone wrote the parent since our read (or our copy); read it for real and recompute.
    // The other writer is most likely another instance that saw child changes we did not, so our
    // views of this parent's children are suspect too: re-read them as well.
    trustCopy = false;
    refreshed = false;
  }
  throw new ParentContendedError(
    `Parent ${parentId} changed under every one of ${settings.maxPreconditionRetries + 1} recompute attempts (412 each time). Failing so Event Grid redelivers; if this persists, look for another writer of this twin or raise rollups.settings.maxPreconditionRetries.`,
  );
}
