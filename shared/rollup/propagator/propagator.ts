// Orchestrates one Event Grid event: parse → keep views current → plan → per-parent recompute
// (coalesced) → dead letters for permanent failures → summary. Holds the per-instance state
// (scheduler, model cache, child views, parent index, trailing refreshes, the runaway-cycle guard).
import { type Clock, errorMessage, systemClock } from '../../common';
import type { DeadLetterSink } from '../../deadLetter';
import { type ParsedNotification, parseNotification } from '../../notifications';
import { recordPropagateEvent } from '../../telemetry';
import { ConditionKeeper } from '../conditions';
import {
  type Coalesced,
  describeRollupError,
  HopGuard,
  isPermanentRollupError,
  type ModelCheckStep,
  ParentScheduler,
  planRecomputes,
  type PropagateLogger,
  type RecomputeOutcome,
  recomputeParent,
  type RecomputeRequest,
  type RecomputeRequestDetails,
  silentLogger,
  writePropagateDeadLetter,
} from '../engine';
import { countingPort, emptyReadCounter, ModelHierarchy, type ReadCounter, type RollupPort } from '../port';
import { reconcileAll, TrailingReconcile } from '../reconcile';
import { type CompiledRollups, RollupConfigError } from '../rules';
import { ChildViews, LinkLists, maintainViews, ParentIndex } from '../views';
import type { EventSummary, PropagateStats } from './summary';
import { TrailingRefresh } from './trailingRefresh';

export interface PropagatorOptions {
  compiled: CompiledRollups;
  port: RollupPort;
  clock?: Pick<Clock, 'now'>;
  /** Where permanent failures and malformed events go; without one they are logged and counted only. */
  deadLetters?: DeadLetterSink;
  /** Logs of work done outside an invocation (trailing refreshes). */
  backgroundLog?: PropagateLogger;
  /** Children held in views across parents (memory bound). Default 500,000. */
  viewCapacity?: number;
  /** Runs before the first event is handled (the worker's check of the rules against the instance's models). */
  modelCheck?: ModelCheckStep;
}

type RunResult = { outcome: RecomputeOutcome; reads: ReadCounter };

function addReads(into: ReadCounter, more: ReadCounter): void {
  into.twinReads += more.twinReads;
  into.relationshipLists += more.relationshipLists;
  into.queries += more.queries;
  into.modelReads += more.modelReads;
}

const isPermanent = (error: unknown): boolean => isPermanentRollupError(error) || error instanceof RollupConfigError;

export class Propagator {
  /** Counters since this instance started; failures never vanish into a log line only. */
  readonly stats: PropagateStats = {
    events: 0,
    malformed: 0,
    rejected: 0,
    ruleFailures: 0,
    deadLettered: 0,
    trailingRefreshes: 0,
    refreshWrites: 0,
    repointReconciles: 0,
    repointReconcileWrites: 0,
    hopLimited: 0,
    failuresByReason: {},
  };
  private readonly models: ModelHierarchy;
  private readonly parentIndex = new ParentIndex();
  private readonly linkLists: LinkLists;
  private readonly views: ChildViews;
  private readonly hops: HopGuard;
  private readonly scheduler: ParentScheduler<RecomputeRequestDetails, RunResult>;
  private readonly refresh: TrailingRefresh;
  private readonly repoints: TrailingReconcile;
  private readonly clock: Pick<Clock, 'now'>;
  /** The changed twin's own conditions (rollups.conditions); shares the model cache. */
  readonly conditions: ConditionKeeper;

  constructor(private readonly options: PropagatorOptions) {
    const { compiled, port } = options;
    this.clock = options.clock ?? systemClock;
    this.models = new ModelHierarchy(port, {
      ttlMs: compiled.settings.modelCacheSeconds * 1000,
      ...(options.clock && { clock: options.clock }),
    });
    this.views = new ChildViews({
      replayMs: compiled.settings.queryLagSeconds * 1000,
      ...(options.viewCapacity !== undefined && { capacity: options.viewCapacity }),
    });
    this.hops = new HopGuard(compiled.settings.maxHops);
    // A child's parents are listed at most once per query lag; see LinkLists and the topology refresh below.
    this.linkLists = new LinkLists({
      ttlMs: compiled.settings.queryLagSeconds * 1000,
      ...(options.clock && { now: () => this.clock.now() }),
    });
    this.scheduler = new ParentScheduler(
      (parentId, request) => this.runRecompute(parentId, request),
      (pending, incoming) => ({
        rules: new Set([...pending.rules, ...incoming.rules]),
        traceparent: incoming.traceparent ?? pending.traceparent,
        refresh: pending.refresh === true || incoming.refresh === true,
      }),
      compiled.settings.gatherMilliseconds,
      false,
    );
    this.refresh = new TrailingRefresh(compiled.settings.queryLagSeconds * 1000, (parentId, request) =>
      this.refreshParent(parentId, request),
    );
    this.repoints = new TrailingReconcile(compiled.settings.queryLagSeconds * 1000, (rules) => this.reconcileRules(rules));
    this.conditions = new ConditionKeeper({
      conditions: compiled.conditions ?? [],
      staleness: compiled.staleness ?? [],
      port,
      models: this.models,
      clock: this.clock,
      maxPreconditionRetries: compiled.settings.maxPreconditionRetries,
    });
  }

  /** Resolves when every trailing refresh and re-point reconcile has run (tests, the local runner, benchmarks). */
  async idle(): Promise<void> {
    while (this.pendingRefreshes > 0) {
      await this.refresh.idle();
      await this.repoints.idle();
    }
  }

  /** Parents waiting for a trailing refresh, plus a pending re-point reconcile. */
  get pendingRefreshes(): number {
    return this.refresh.pending + this.repoints.pending;
  }

  /** Stops pending trailing refreshes and reconciles (worker reset). */
  close(): void {
    this.refresh.close();
    this.repoints.close();
  }

  async handle(event: unknown, log: PropagateLogger): Promise<EventSummary> {
    await this.options.modelCheck?.once(log);
    const started = Date.now();
    const trace: { traceparent?: string } = {};
    const summary = await this.handleEvent(event, log, trace);
    recordPropagateEvent(summary, { started, ended: Date.now(), traceparent: trace.traceparent });
    return summary;
  }

  private async handleEvent(event: unknown, log: PropagateLogger, trace: { traceparent?: string }): Promise<EventSummary> {
    this.stats.events += 1;
    const parsed = await parseNotification(event);
    if (!parsed.ok) {
      const { malformed } = parsed;
      const summary = this.summary(malformed.id, malformed.type, malformed.schema, 'malformed', malformed.reason);
      this.stats.malformed += 1;
      await this.deadLetter(summary, {
        event,
        eventId: malformed.id,
        eventType: malformed.type,
        reason: 'propagate-malformed',
        detail: malformed.reason,
      });
      log.warn(
        `Malformed event ${malformed.id ?? '(no id)'} ${this.options.deadLetters ? 'dead-lettered' : 'dropped'}, not retried: ${malformed.reason}`,
        summary,
      );
      return summary;
    }
    const n = parsed.notification;
    trace.traceparent = n.traceparent;
    if (n.change.kind === 'ignored') {
      const summary = this.summary(n.id, n.type, n.schema, 'ignored', n.change.reason);
      log.debug(`Event ${n.id} (${n.type}) ignored: ${n.change.reason}`, summary);
      return summary;
    }
    try {
      const summary = await this.process(n, event);
      const failed = summary.failures.length > 0 ? `, ${summary.failures.length} rule failure(s) dead-lettered` : '';
      log.info(
        `Propagated ${n.type} ${n.id}: ${summary.parentsRecomputed} parent(s), ${summary.writes} write(s), ${summary.skippedUnchanged} unchanged, ${summary.preconditionRetries} 412 retr(ies)${failed}`,
        summary,
      );
      if (summary.failures.length > 0)
        log.error(
          `Roll-up failures for event ${n.id}: ${summary.failures.map((f) => `${f.parentId} rule "${f.rule}": ${f.detail}`).join('; ')}`,
          summary,
        );
      if (summary.hopLimited > 0) {
        log.error(
          `Roll-up hop limit reached in trace ${n.traceparent ?? '?'}: parent(s) ${summary.parents
            .filter((p) => p.status === 'hopLimit')
            .map((p) => p.parentId)
            .join(
              ', ',
            )} already written ${this.hops.maxHops} times for this one change, so the twin graph holds a cycle the models allow. Derived writes stopped there; break the cycle in the twin graph.`,
          summary,
        );
      }
      return summary;
    } catch (error) {
      if (!isPermanent(error)) throw error;
      const reason = describeRollupError(error);
      const summary = this.summary(n.id, n.type, n.schema, 'rejected', reason);
      this.stats.rejected += 1;
      await this.deadLetter(summary, { event, eventId: n.id, eventType: n.type, reason: 'propagate-adt', detail: reason });
      log.error(
        `Event ${n.id} (${n.type}) could not be propagated and will not be retried${this.options.deadLetters ? ' (dead-lettered)' : ''}: ${reason}`,
        summary,
      );
      return summary;
    }
  }

  private async process(n: ParsedNotification, event: unknown): Promise<EventSummary> {
    const summary = this.summary(n.id, n.type, n.schema, 'processed');
    const call = n.traceparent ? { traceparent: n.traceparent } : {};
    const port = countingPort(this.options.port, summary.reads);
    const { compiled } = this.options;
    const receivedAt = n.time ?? new Date(this.clock.now()).toISOString();
    const topology = dropLinksOf(n.change, this.linkLists);
    const { formerParents } = await maintainViews(n.change, { compiled, views: this.views, port }, receivedAt, call);
    if (n.change.kind === 'relationshipUpdate') this.repoints.touch(await this.incomingRulesFor(n.change, port, call));
    const requests = await planRecomputes(
      n.change,
      { compiled, port, models: this.models, parentIndex: this.parentIndex, formerParents, linkLists: this.linkLists },
      call,
    );
    const results = await Promise.all(
      requests.map((r: RecomputeRequest) => {
        const details: RecomputeRequestDetails = { rules: r.rules, traceparent: n.traceparent };
        // Another instance may route a child's changes by a parent list up to reuseMs old, so the
        // parents of a topology change are refreshed that much later (whatever their read mode).
        if (topology) this.refresh.touch(r.parentId, details, this.linkLists.reuseMs);
        else if ([...r.rules].some((name) => compiled.rules.find((rule) => rule.name === name)?.read !== 'api'))
          this.refresh.touch(r.parentId, details);
        return this.scheduler.schedule(r.parentId, details).then((done) => ({ ...done, parentId: r.parentId }));
      }),
    );
    for (const done of results) this.account(summary, done);
    await this.evaluateConditions(n.change, summary, call);
    for (const failure of summary.failures) {
      await this.deadLetter(summary, {
        event,
        eventId: n.id,
        eventType: n.type,
        reason: `propagate-${failure.reason}`,
        detail: failure.detail,
        rule: failure.rule,
        parentId: failure.parentId,
      });
    }
    return summary;
  }

  /** The changed twin's conditions, read fresh from ADT (never from the patch: a redelivered or
   * reordered notification must not decide on an old value). Only a change to an input costs a read. */
  private async evaluateConditions(
    change: ParsedNotification['change'],
    summary: EventSummary,
    call: { traceparent?: string },
  ): Promise<void> {
    await this.unmarkStale(change, call);
    if (this.conditions.conditions.length === 0) return;
    let twinId: string | undefined;
    if (change.kind === 'twinUpdate') {
      const touched = new Set(change.patch.map((op) => op.path.split('/')[1] ?? '').filter((p) => p !== '' && p !== '$metadata'));
      if (await this.conditions.touches(change.modelId, touched, call)) twinId = change.twinId;
    } else if (change.kind === 'twinCreate') {
      const model = change.twin.$metadata?.$model;
      if (typeof model === 'string' && (await this.conditions.conditionsOf(model, call)).length > 0) twinId = change.twinId;
    }
    if (twinId === undefined) return;
    const outcome = await this.conditions.evaluate(twinId, call);
    summary.condition = {
      status: outcome.status,
      steps: outcome.decisions.flatMap((d) => (d.step && d.ops.length > 0 ? [`${d.condition}:${d.step}`] : [])),
    };
    // An expression that fails is taken as "does not hold" and dead-lettered like a roll-up's (propagate-expression).
    for (const d of outcome.decisions)
      if (d.error !== undefined)
        summary.failures.push({
          parentId: twinId,
          rule: d.condition,
          reason: 'expression',
          detail: `condition "${d.condition}": ${d.error}`,
        });
  }

  /** A change to a stale twin (anything but the stale mark itself) is a sign of life: unmark it. */
  private async unmarkStale(change: ParsedNotification['change'], call: { traceparent?: string }): Promise<void> {
    if (change.kind !== 'twinUpdate' || this.conditions.staleness.length === 0) return;
    const rule = await this.conditions.stalenessOf(change.modelId, call);
    if (!rule) return;
    const touched = change.patch.map((op) => op.path.split('/')[1] ?? '').filter((p) => p !== '' && p !== '$metadata');
    if (touched.some((p) => p !== rule.property)) await this.conditions.markFresh(change.twinId, rule, call);
  }

  private async refreshParent(parentId: string, request: RecomputeRequestDetails): Promise<void> {
    const log = this.options.backgroundLog ?? silentLogger;
    this.stats.trailingRefreshes += 1;
    try {
      const { result } = await this.scheduler.schedule(parentId, request);
      // Joined a pending run: that run re-reads the views (the request's refresh flag) and reports.
      if (!result) return;
      // A refresh that writes found the view behind ADT: a measure of how much the refresh is needed.
      if (result.outcome.status === 'written') this.stats.refreshWrites += 1;
      for (const failure of result.outcome.failures) {
        this.countFailure(failure.reason);
        await this.deadLetter(undefined, {
          event: undefined,
          eventId: undefined,
          eventType: 'trailing-refresh',
          reason: `propagate-${failure.reason}`,
          detail: failure.detail,
          rule: failure.rule,
          parentId,
        });
      }
    } catch (error) {
      log.error(
        `Trailing refresh of parent ${parentId} failed: ${errorMessage(error)}. The next change to its children, or reconcile, recomputes it.`,
      );
    }
  }

  /** Incoming rules the updated relationship belongs to (its source may be their child). The
   * event does not name the relationship, so its name is found by listing the source's links of
   * each candidate name (rare event, a list per name); a relationship gone meanwhile keeps every candidate. */
  private async incomingRulesFor(
    change: { sourceId: string; relationshipId: string; modelId: string | undefined },
    port: RollupPort,
    call: { traceparent?: string },
  ): Promise<string[]> {
    const candidates = [];
    for (const rule of this.options.compiled.rules) {
      if (rule.direction !== 'incoming') continue;
      if (change.modelId === undefined || rule.childModel === undefined || (await this.models.isA(change.modelId, rule.childModel, call)))
        candidates.push(rule);
    }
    for (const name of new Set(candidates.flatMap((r) => [...r.relationships]))) {
      const links = await this.linkLists.outgoing(port, change.sourceId, name, call);
      if (links.some((l) => l.relationshipId === change.relationshipId))
        return candidates.filter((r) => r.relationships.has(name)).map((r) => r.name);
    }
    return candidates.map((r) => r.name);
  }

  /** The re-point reconcile: every parent of these rules from paged queries (see TrailingReconcile). */
  private async reconcileRules(rules: ReadonlySet<string>): Promise<void> {
    const log = this.options.backgroundLog ?? silentLogger;
    this.stats.repointReconciles += 1;
    try {
      const summary = await reconcileAll({
        compiled: this.options.compiled,
        port: this.options.port,
        models: this.models,
        recompute: { parentIndex: this.parentIndex },
        rules,
      });
      this.stats.repointReconcileWrites += summary.written;
      for (const failure of summary.failures) {
        this.countFailure(failure.reason);
        await this.deadLetter(undefined, {
          event: undefined,
          eventId: undefined,
          eventType: 'repoint-reconcile',
          reason: `propagate-${failure.reason}`,
          detail: failure.detail,
          rule: failure.rule,
          parentId: failure.parentId,
        });
      }
      log.info(
        `Re-point reconcile of rule(s) ${[...rules].join(', ')}: ${summary.parents} parent(s), ${summary.written} written, ${summary.queries} queries`,
      );
    } catch (error) {
      log.error(
        `Re-point reconcile of rule(s) ${[...rules].join(', ')} failed: ${errorMessage(error)}. The old parent of a re-pointed relationship may stay stale until reconcile runs (npm run reconcile, or the reconcileTwins timer).`,
      );
    }
  }

  private async runRecompute(parentId: string, request: RecomputeRequestDetails): Promise<RunResult> {
    const reads = emptyReadCounter();
    const outcome = await recomputeParent(parentId, request, {
      compiled: this.options.compiled,
      port: countingPort(this.options.port, reads),
      models: this.models,
      parentIndex: this.parentIndex,
      views: this.views,
      hops: this.hops,
    });
    return { outcome, reads };
  }

  private countFailure(reason: string): void {
    this.stats.ruleFailures += 1;
    this.stats.failuresByReason[reason] = (this.stats.failuresByReason[reason] ?? 0) + 1;
  }

  private async deadLetter(summary: EventSummary | undefined, letter: Parameters<typeof writePropagateDeadLetter>[1]): Promise<void> {
    const sink = this.options.deadLetters;
    if (!sink) return;
    await writePropagateDeadLetter(sink, letter, new Date(this.clock.now()));
    this.stats.deadLettered += 1;
    if (summary) summary.deadLettered += 1;
  }

  private account(summary: EventSummary, done: Coalesced<RunResult> & { parentId: string }): void {
    if (!done.result) {
      // Folded into a run already pending for this parent; the event that started it waits for it.
      summary.parentsRecomputed += 1;
      summary.parents.push({ parentId: done.parentId, status: 'joined', changed: [], shared: true });
      return;
    }
    const { outcome, reads } = done.result;
    summary.parentsRecomputed += 1;
    if (outcome.status === 'written') summary.writes += 1;
    if (outcome.status === 'unchanged') summary.skippedUnchanged += 1;
    if (outcome.status === 'hopLimit') {
      summary.hopLimited += 1;
      this.stats.hopLimited += 1;
    }
    summary.preconditionRetries += outcome.preconditionRetries;
    addReads(summary.reads, reads);
    summary.parents.push({ parentId: outcome.parentId, status: outcome.status, changed: outcome.changed, shared: done.shared });
    for (const failure of outcome.failures) {
      this.countFailure(failure.reason);
      summary.failures.push({ parentId: outcome.parentId, ...failure });
    }
  }

  private summary(
    eventId: string | undefined,
    type: string | undefined,
    schema: EventSummary['schema'],
    outcome: EventSummary['outcome'],
    reason?: string,
  ): EventSummary {
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
      failures: [],
      deadLettered: 0,
    };
  }
}

/** Drops the link lists a change may have made stale; true for a topology change. */
function dropLinksOf(change: ParsedNotification['change'], lists: LinkLists): boolean {
  switch (change.kind) {
    case 'relationshipCreate':
    case 'relationshipDelete':
      lists.invalidate(change.relationship.sourceId, change.relationship.targetId);
      return true;
    case 'relationshipUpdate':
      lists.invalidate(change.sourceId);
      return true;
    case 'twinCreate':
    case 'twinDelete':
      lists.invalidate(change.twinId);
      return true;
    case 'twinUpdate':
    case 'ignored':
      return false;
  }
}
