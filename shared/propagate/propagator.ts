// Orchestrates one Event Grid event: parse → plan → per-parent recompute (coalesced) → summary.
// Holds the per-instance state (scheduler, model cache, parent index, hop depths).
import { type Clock, errorMessage } from '../common';
import { type ParsedNotification, parseNotification } from '../notifications';
import {
  type Coalesced,
  type CompiledRollups,
  countingPort,
  emptyReadCounter,
  HopGuard,
  ModelHierarchy,
  ParentIndex,
  ParentScheduler,
  planRecomputes,
  type ReadCounter,
  type RecomputeOutcome,
  recomputeParent,
  type RecomputeRequest,
  type RecomputeRequestDetails,
  RollupConfigError,
  RollupEvaluationError,
  type RollupPort,
  RollupPortError,
} from '../rollup';
import type { PropagateLogger } from './logger';
import type { EventSummary } from './summary';

export interface PropagatorOptions {
  compiled: CompiledRollups;
  port: RollupPort;
  clock?: Pick<Clock, 'now'>;
}

type RunResult = { outcome: RecomputeOutcome; reads: ReadCounter };

function addReads(into: ReadCounter, more: ReadCounter): void {
  into.twinReads += more.twinReads;
  into.relationshipLists += more.relationshipLists;
  into.queries += more.queries;
  into.modelReads += more.modelReads;
}

/** Errors retrying cannot fix: logged, the event acknowledged. Everything else fails the invocation. */
function isPermanent(error: unknown): boolean {
  return error instanceof RollupEvaluationError || error instanceof RollupConfigError || (error instanceof RollupPortError && !error.transient);
}

export class Propagator {
  private readonly models: ModelHierarchy;
  private readonly parentIndex = new ParentIndex();
  private readonly hops: HopGuard;
  private readonly scheduler: ParentScheduler<RecomputeRequestDetails, RunResult>;

  constructor(private readonly options: PropagatorOptions) {
    const { compiled, port } = options;
    this.models = new ModelHierarchy(port, { ttlMs: compiled.settings.modelCacheSeconds * 1000, ...(options.clock && { clock: options.clock }) });
    this.hops = new HopGuard(compiled.settings.maxHops);
    this.scheduler = new ParentScheduler(
      (parentId, request) => this.runRecompute(parentId, request),
      (pending, incoming) => ({
        rules: new Set([...pending.rules, ...incoming.rules]),
        traceparent: incoming.traceparent ?? pending.traceparent,
        depth: Math.max(pending.depth, incoming.depth),
      }),
    );
  }

  async handle(event: unknown, log: PropagateLogger): Promise<EventSummary> {
    const parsed = await parseNotification(event);
    if (!parsed.ok) {
      const { malformed } = parsed;
      const summary = this.summary(malformed.id, malformed.type, malformed.schema, 'malformed', malformed.reason);
      log.warn(`Malformed event ${malformed.id ?? '(no id)'} dropped, not retried: ${malformed.reason}`, summary);
      return summary;
    }
    const n = parsed.notification;
    if (n.change.kind === 'ignored') {
      const summary = this.summary(n.id, n.type, n.schema, 'ignored', n.change.reason);
      log.debug(`Event ${n.id} (${n.type}) ignored: ${n.change.reason}`, summary);
      return summary;
    }
    try {
      const summary = await this.process(n);
      log.info(`Propagated ${n.type} ${n.id}: ${summary.parentsRecomputed} parent(s), ${summary.writes} write(s), ${summary.skippedUnchanged} unchanged, ${summary.preconditionRetries} 412 retr(ies)`, summary);
      if (summary.hopLimited > 0) {
        log.error(`Roll-up hop limit (${this.hops.maxHops}) reached in trace ${n.traceparent ?? '?'}: the twin graph holds a cycle the models allow. Derived writes stopped there; break the cycle in the twin graph.`, summary);
      }
      return summary;
    } catch (error) {
      if (!isPermanent(error)) throw error;
      const reason = errorMessage(error);
      const summary = this.summary(n.id, n.type, n.schema, 'rejected', reason);
      log.error(`Event ${n.id} (${n.type}) could not be propagated and will not be retried: ${reason}`, summary);
      return summary;
    }
  }

  private async process(n: ParsedNotification): Promise<EventSummary> {
    const summary = this.summary(n.id, n.type, n.schema, 'processed');
    const call = n.traceparent ? { traceparent: n.traceparent } : {};
    const port = countingPort(this.options.port, summary.reads);
    const requests = await planRecomputes(n.change, { compiled: this.options.compiled, port, models: this.models, parentIndex: this.parentIndex }, call);
    const depth = this.hops.depthOf(n.traceparent, changedTwinOf(n)) + 1;
    const results = await Promise.all(requests.map((r: RecomputeRequest) => this.scheduler.schedule(r.parentId, { rules: r.rules, traceparent: n.traceparent, depth })));
    for (const done of results) this.account(summary, done);
    return summary;
  }

  private async runRecompute(parentId: string, request: RecomputeRequestDetails): Promise<RunResult> {
    const reads = emptyReadCounter();
    const outcome = await recomputeParent(parentId, request, {
      compiled: this.options.compiled,
      port: countingPort(this.options.port, reads),
      models: this.models,
      parentIndex: this.parentIndex,
      allowsDepth: (depth) => this.hops.allows(depth),
      onWritten: (id, req) => this.hops.recordWrite(req.traceparent, id, req.depth),
    });
    return { outcome, reads };
  }

  private account(summary: EventSummary, done: Coalesced<RunResult>): void {
    const { outcome, reads } = done.result;
    summary.parentsRecomputed += 1;
    if (outcome.status === 'written') summary.writes += 1;
    if (outcome.status === 'unchanged') summary.skippedUnchanged += 1;
    if (outcome.status === 'hopLimit') summary.hopLimited += 1;
    summary.preconditionRetries += outcome.preconditionRetries;
    addReads(summary.reads, reads);
    summary.parents.push({ parentId: outcome.parentId, status: outcome.status, changed: outcome.changed, shared: done.shared });
  }

  private summary(eventId: string | undefined, type: string | undefined, schema: EventSummary['schema'], outcome: EventSummary['outcome'], reason?: string): EventSummary {
    return {
      eventId,
      type,
      schema,
      outcome,
      ...(reason === undefined ? {} : { reason }),
      parentsRecomputed: 0,
      writes: 0,
      skippedUnchanged: 0,
      preconditionRetries: 0,
      hopLimited: 0,
      reads: emptyReadCounter(),
      parents: [],
    };
  }
}

/** The twin whose change this notification reports (for hop depth). */
function changedTwinOf(n: ParsedNotification): string {
  switch (n.change.kind) {
    case 'twinUpdate':
    case 'twinCreate':
    case 'twinDelete':
      return n.change.twinId;
    case 'relationshipCreate':
    case 'relationshipDelete':
      return n.change.relationship.sourceId;
    case 'relationshipUpdate':
      return n.change.sourceId;
    case 'ignored':
      return '';
  }
}
