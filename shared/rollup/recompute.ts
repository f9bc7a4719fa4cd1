// Recomputes one parent: read it and its children, derive, write with If-Match, and on 412
// start over (bounded). No write when every derived value is unchanged.
import type { ChildReadDeps } from './children';
import { readChildren } from './children';
import { planWrite } from './diff';
import type { DerivedValue } from './evaluate';
import { evaluateRule } from './evaluate';
import type { CallOptions } from './ports';
import { RollupPortError } from './ports';

export type RecomputeStatus = 'written' | 'unchanged' | 'parentMissing' | 'notApplicable' | 'hopLimit';

export interface RecomputeOutcome {
  parentId: string;
  status: RecomputeStatus;
  /** Derived properties written (or removed). */
  changed: string[];
  unchanged: string[];
  preconditionRetries: number;
}

export interface RecomputeRequestDetails {
  rules: ReadonlySet<string>;
  /** Forwarded to ADT on the write, so the parent's own notification continues the trace. */
  traceparent: string | undefined;
  /** Hop depth this write would have; refused beyond the limit. */
  depth: number;
}

export interface RecomputeDeps extends ChildReadDeps {
  allowsDepth: (depth: number) => boolean;
  onWritten?: (parentId: string, request: RecomputeRequestDetails) => void;
}

export async function recomputeParent(parentId: string, request: RecomputeRequestDetails, deps: RecomputeDeps): Promise<RecomputeOutcome> {
  const { settings } = deps.compiled;
  const call: CallOptions = request.traceparent ? { traceparent: request.traceparent } : {};
  const outcome = (status: RecomputeStatus, retries: number, changed: string[] = [], unchanged: string[] = []): RecomputeOutcome => ({
    parentId,
    status,
    changed,
    unchanged,
    preconditionRetries: retries,
  });
  for (let retries = 0; retries <= settings.maxPreconditionRetries; retries++) {
    const snapshot = await deps.port.getTwin(parentId, call);
    if (!snapshot) return outcome('parentMissing', retries);
    const model = snapshot.twin.$metadata.$model;
    const rules = [];
    for (const rule of deps.compiled.rules) {
      if (request.rules.has(rule.name) && (await deps.models.isA(model, rule.parentModel, call))) rules.push(rule);
    }
    if (rules.length === 0) return outcome('notApplicable', retries);
    const cache = new Map();
    const derived: DerivedValue[] = [];
    for (const rule of rules) derived.push(...(await evaluateRule(rule, await readChildren(rule, parentId, deps, cache, call))));
    const plan = planWrite(snapshot.twin, derived, settings.floatTolerance);
    if (plan.ops.length === 0) return outcome('unchanged', retries, [], plan.unchanged);
    if (!deps.allowsDepth(request.depth)) return outcome('hopLimit', retries, [], plan.unchanged);
    const result = await deps.port.updateTwin(parentId, plan.ops, { ...call, ifMatch: snapshot.etag });
    if (result.kind === 'written') {
      deps.onWritten?.(parentId, request);
      return outcome('written', retries, plan.changed, plan.unchanged);
    }
    if (result.kind === 'twinNotFound') return outcome('parentMissing', retries);
    // 412: someone wrote the parent between our read and our write; read again and recompute.
  }
  throw new RollupPortError(
    `Parent ${parentId} changed under every one of ${settings.maxPreconditionRetries + 1} recompute attempts (412 each time). Failing so Event Grid redelivers; if this persists, look for another writer of this twin or raise rollups.settings.maxPreconditionRetries.`,
    true,
  );
}
