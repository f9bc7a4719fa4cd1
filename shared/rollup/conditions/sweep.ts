// The waking part of conditions: a duration must elapse even when no message arrives, so a timer
// finds every twin whose pending duration is due (one paged query per condition: the pending
// property is an ordinary property, which ADT's query filters on) and lets the keeper finish it.
// Two instances sweeping at once are safe: each write carries If-Match, the loser re-reads and finds
// the transition already written. Every query is narrowed (IS_OF_MODEL, ids only, a time filter)
// and paged within the run's bound (sweepBound.ts); the cost is in the summary and the metrics.
import { errorMessage, startLimited } from '../../common';
import { recordSweep } from '../../telemetry';
import { type CallOptions, quoteQueryString, type RollupPort } from '../port';
import type { CompiledCondition } from '../rules';
import type { ConditionKeeper } from './keeper';
import { staleQuery } from './staleness';
import { boundedIds, emptySweepCost, type SweepBound, type SweepCost } from './sweepBound';

export interface ConditionSweepSummary extends SweepCost {
  /** Twins found with a pending duration that is due (raiseAfter or clearAfter elapsed). */
  pending: number;
  /** Twins written (a transition, or a pending removed). */
  written: number;
  /** Twins found not written for their model's maxAge, and marked stale. */
  foundStale: number;
  markedStale: number;
  failures: Array<{ twinId: string; detail: string }>;
}

/** ROLLUPS.md "Sweep cost": the defaults of rollups.settings.sweepMaxRows, sweepMaxQueryUnits, sweepPageSize. */
export const defaultSweepBound: SweepBound = { maxRows: 10_000, maxQueryUnits: 10_000, pageSize: 1000 };

const literal = (value: boolean | string): string => (typeof value === 'boolean' ? String(value) : quoteQueryString(value));

/**
 * The query that lists twins of a condition's model whose pending duration is due at `nowMs`: in
 * the cleared state with the pending time at least raiseAfter ago, or raised with it at least
 * clearAfter ago. The pending time is written by toISOString (UTC, fixed precision), so text order
 * is time order. A pending twin that is not due is not read: its duration is finished by a later
 * run, or ended by the change that stops it holding.
 */
export function pendingQuery(condition: CompiledCondition, nowMs: number): string | undefined {
  if (condition.pending === undefined) return undefined;
  const pending = `T.${condition.pending}`;
  const branch = (state: boolean | string, durationMs: number): string[] =>
    durationMs > 0
      ? [`(T.${condition.property} = ${literal(state)} AND ${pending} <= ${quoteQueryString(new Date(nowMs - durationMs).toISOString())})`]
      : [];
  const due = [...branch(condition.cleared, condition.raiseAfterMs), ...branch(condition.raised, condition.clearAfterMs)];
  if (due.length === 0) return undefined;
  return `SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL(${quoteQueryString(condition.model)}) AND (${due.join(' OR ')})`;
}

export async function sweepConditions(
  keeper: ConditionKeeper,
  port: RollupPort,
  options: CallOptions & { parallel?: number; bound?: Partial<SweepBound> } = {},
): Promise<ConditionSweepSummary> {
  const summary: ConditionSweepSummary = { ...emptySweepCost(), pending: 0, written: 0, foundStale: 0, markedStale: 0, failures: [] };
  if (!port.queryPage && !port.query) throw new Error('The conditions sweep needs a port that can query ADT.');
  const bound: SweepBound = { ...defaultSweepBound, ...options.bound };
  const call: CallOptions = options.traceparent ? { traceparent: options.traceparent } : {};
  const parallel = options.parallel ?? 16;
  const nowMs = keeper.now();
  // Durations first: an alarm waiting for its duration matters more than a mark a capped run defers.
  const ids = new Set<string>();
  // Conditions sharing a model, pending property and duration share a query.
  for (const text of new Set(keeper.conditions.map((c) => pendingQuery(c, nowMs)).filter((q): q is string => q !== undefined)))
    for (const id of await boundedIds(port, text, bound, summary, call)) ids.add(id);
  summary.pending = ids.size;
  await Promise.all(
    startLimited([...ids], parallel, async (twinId) => {
      try {
        const outcome = await keeper.evaluate(twinId, call);
        if (outcome.status === 'written') summary.written += 1;
        for (const d of outcome.decisions)
          if (d.error !== undefined) summary.failures.push({ twinId, detail: `condition "${d.condition}": ${d.error}` });
      } catch (error) {
        summary.failures.push({ twinId, detail: errorMessage(error) });
      }
    }),
  );
  // Staleness: a twin marked stale notifies its parents, whose roll-ups can leave it out.
  for (const rule of keeper.staleness) {
    const found = await boundedIds(port, staleQuery(rule, nowMs - rule.maxAgeMs), bound, summary, call);
    summary.foundStale += found.length;
    await Promise.all(
      startLimited(found, parallel, async (twinId) => {
        try {
          if (await keeper.markStale(twinId, rule, call)) summary.markedStale += 1;
        } catch (error) {
          summary.failures.push({ twinId, detail: errorMessage(error) });
        }
      }),
    );
  }
  recordSweep(summary);
  return summary;
}
