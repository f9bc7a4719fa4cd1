// What happened to each dead letter in a replay, and the totals the summary prints.

export type ReplayOutcome =
  /** Applied or filtered by the current configuration: the document was removed (unless it changed meanwhile). */
  | { kind: 'applied' | 'filtered'; reasons: string[]; removed: boolean }
  /** Refused again (wholly, or some values while others applied): rewritten with its history. */
  | { kind: 'dead-lettered'; reason: string; detail: string; partiallyApplied: boolean; rewritten: boolean }
  /** The batch failed (ADT unavailable past the deadline, …): the document is untouched. */
  | { kind: 'failed'; error: string }
  /** --dry-run: what the planner decided; nothing was written. */
  | { kind: 'would-apply' | 'would-filter' | 'would-dead-letter'; reasons: string[] };

export interface DocumentResult {
  name: string;
  /** The reason the document had before this replay. */
  previousReason: string;
  outcome: ReplayOutcome;
}

export interface ReplayTotals {
  applied: number;
  filtered: number;
  deadLettered: number;
  failed: number;
  removed: number;
  rewritten: number;
  /** Documents the ingest function rewrote while the replay ran: left as they are. */
  changedMeanwhile: number;
  wouldApply: number;
  wouldFilter: number;
  wouldDeadLetter: number;
  /** New reasons of the documents dead-lettered again (or that would be), by code. */
  againByReason: Record<string, number>;
  /** Reasons of filtered messages (or that would be), by code. */
  filteredByReason: Record<string, number>;
}

export interface AdtActivity {
  requests: number;
  retries: number;
  throttled429: number;
  twinsPatched: number;
  telemetrySent: number;
}

export interface ReplayReport {
  store: string;
  dryRun: boolean;
  reasons: string[];
  /** Documents in the store. */
  found: number;
  /** Documents that matched --reason and were replayed (or planned). */
  selected: number;
  unreadable: Array<{ name: string; problem: string }>;
  results: DocumentResult[];
  totals: ReplayTotals;
  /** ADT stayed unavailable past a batch's deadline: the run ended there, the rest is untouched. */
  stopped?: { reason: string; notExamined: number };
  adt: AdtActivity;
}

export function emptyTotals(): ReplayTotals {
  return {
    applied: 0,
    filtered: 0,
    deadLettered: 0,
    failed: 0,
    removed: 0,
    rewritten: 0,
    changedMeanwhile: 0,
    wouldApply: 0,
    wouldFilter: 0,
    wouldDeadLetter: 0,
    againByReason: {},
    filteredByReason: {},
  };
}

function count(into: Record<string, number>, reason: string | undefined): void {
  const key = reason ?? 'unknown';
  into[key] = (into[key] ?? 0) + 1;
}

export function addToTotals(totals: ReplayTotals, outcome: ReplayOutcome): void {
  switch (outcome.kind) {
    case 'applied':
    case 'filtered':
      if (outcome.kind === 'applied') totals.applied++;
      else {
        totals.filtered++;
        count(totals.filteredByReason, outcome.reasons[0]);
      }
      if (outcome.removed) totals.removed++;
      else totals.changedMeanwhile++;
      return;
    case 'dead-lettered':
      totals.deadLettered++;
      count(totals.againByReason, outcome.reason);
      if (outcome.rewritten) totals.rewritten++;
      else totals.changedMeanwhile++;
      return;
    case 'failed':
      totals.failed++;
      return;
    case 'would-apply':
      totals.wouldApply++;
      return;
    case 'would-filter':
      totals.wouldFilter++;
      count(totals.filteredByReason, outcome.reasons[0]);
      return;
    case 'would-dead-letter':
      totals.wouldDeadLetter++;
      count(totals.againByReason, outcome.reasons[0]);
      return;
  }
}
