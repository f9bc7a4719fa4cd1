// Conditions' and staleness' numbers: transitions as they are written, and each sweep's cost
// (queries sent, twins found), recorded once per write and once per sweep.
import { instruments } from './instruments';

export function recordConditionTransition(condition: string, to: 'raised' | 'cleared'): void {
  instruments().conditionTransitions.add(1, { condition, to });
}

export function recordStalenessMark(to: 'stale' | 'fresh'): void {
  instruments().stalenessMarks.add(1, { to });
}

/** What this module reads of shared/rollup's ConditionSweepSummary (structural). */
export interface SweepNumbers {
  queries: number;
  pages: number;
  rows: number;
  queryUnits: number;
  capped: boolean;
  pending: number;
  foundStale: number;
}

/** Once per sweep run: its cost (queries, pages, rows, Query Units) and whether its bound stopped it. */
export function recordSweep(summary: SweepNumbers): void {
  const m = instruments();
  m.sweepRuns.add(1, { capped: summary.capped });
  if (summary.queries > 0) m.sweepQueries.add(summary.queries);
  if (summary.pages > 0) m.sweepPages.add(summary.pages);
  if (summary.queryUnits > 0) m.sweepQueryUnits.add(summary.queryUnits);
  if (summary.pending > 0) m.sweepTwins.add(summary.pending, { kind: 'pending' });
  if (summary.foundStale > 0) m.sweepTwins.add(summary.foundStale, { kind: 'stale' });
}
