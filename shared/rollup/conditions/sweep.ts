// The waking part of conditions: a duration must elapse even when no message arrives, so a timer
// finds every twin with a pending duration (one paged query per condition: the pending property is
// an ordinary property, which ADT's query filters on) and lets the keeper finish what is due. Two
// instances sweeping at once are safe: each write carries If-Match, the loser re-reads and finds
// the transition already written.
import { errorMessage, startLimited } from '../../common';
import { recordSweep } from '../../telemetry';
import { type CallOptions, quoteQueryString, type RollupPort } from '../port';
import type { CompiledCondition } from '../rules';
import type { ConditionKeeper } from './keeper';
import { staleQuery } from './staleness';

export interface ConditionSweepSummary {
  /** ADT queries sent (one per condition with a duration, every page fetched). */
  queries: number;
  /** Twins found with a pending duration. */
  pending: number;
  /** Twins written (a transition, or a pending removed). */
  written: number;
  /** Twins found not written for their model's maxAge, and marked stale. */
  foundStale: number;
  markedStale: number;
  failures: Array<{ twinId: string; detail: string }>;
}

/** The query that lists twins of a condition's model holding a pending duration. */
export function pendingQuery(condition: CompiledCondition): string | undefined {
  if (condition.pending === undefined) return undefined;
  return `SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL(${quoteQueryString(condition.model)}) AND IS_DEFINED(T.${condition.pending})`;
}

export async function sweepConditions(
  keeper: ConditionKeeper,
  port: RollupPort,
  options: CallOptions & { parallel?: number } = {},
): Promise<ConditionSweepSummary> {
  const summary: ConditionSweepSummary = { queries: 0, pending: 0, written: 0, foundStale: 0, markedStale: 0, failures: [] };
  if (!port.query) throw new Error('The conditions sweep needs a port that can query ADT.');
  const query = port.query.bind(port);
  // Staleness first: a twin marked stale notifies its parents, whose roll-ups can leave it out.
  const nowMs = keeper.now();
  for (const rule of keeper.staleness) {
    summary.queries += 1;
    const ids = (await query(staleQuery(rule, nowMs - rule.maxAgeMs), options)).flatMap((row) => {
      const id = (row as { $dtId?: unknown }).$dtId;
      return typeof id === 'string' ? [id] : [];
    });
    summary.foundStale += ids.length;
    await Promise.all(
      startLimited(ids, options.parallel ?? 16, async (twinId) => {
        try {
          if (await keeper.markStale(twinId, rule, options)) summary.markedStale += 1;
        } catch (error) {
          summary.failures.push({ twinId, detail: errorMessage(error) });
        }
      }),
    );
  }
  const ids = new Set<string>();
  // Conditions sharing a model and pending property share a query.
  for (const text of new Set(keeper.conditions.map(pendingQuery).filter((q): q is string => q !== undefined))) {
    summary.queries += 1;
    for (const row of await query(text, options)) {
      const id = (row as { $dtId?: unknown }).$dtId;
      if (typeof id === 'string') ids.add(id);
    }
  }
  summary.pending = ids.size;
  await Promise.all(
    startLimited([...ids], options.parallel ?? 16, async (twinId) => {
      try {
        const outcome = await keeper.evaluate(twinId, options);
        if (outcome.status === 'written') summary.written += 1;
        for (const d of outcome.decisions)
          if (d.error !== undefined) summary.failures.push({ twinId, detail: `condition "${d.condition}": ${d.error}` });
      } catch (error) {
        summary.failures.push({ twinId, detail: errorMessage(error) });
      }
    }),
  );
  recordSweep(summary);
  return summary;
}
