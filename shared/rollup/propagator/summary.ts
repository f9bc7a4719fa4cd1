// The one structured log record written per event.
import type { EventSchema } from '../../notifications';
import type { ConditionOutcome } from '../conditions';
import type { RecomputeStatus, RuleFailure } from '../engine';
import type { ReadCounter } from '../port';

export type EventOutcome = 'processed' | 'ignored' | 'malformed' | 'rejected';

export interface ParentResult {
  parentId: string;
  /** joined: folded into a run already pending for the parent (its first caller reports it). */
  status: RecomputeStatus | 'joined';
  changed: string[];
  /** Folded into a recompute another event asked for too (per-parent coalescing). */
  shared: boolean;
}

export interface EventSummary {
  eventId: string | undefined;
  type: string | undefined;
  schema: EventSchema | undefined;
  outcome: EventOutcome;
  /** Why the event was ignored, malformed, or rejected. */
  reason?: string;
  parentsRecomputed: number;
  writes: number;
  skippedUnchanged: number;
  preconditionRetries: number;
  hopLimited: number;
  reads: ReadCounter;
  parents: ParentResult[];
  /** Rules that failed permanently for a parent (each dead-lettered when a sink is configured). */
  failures: (RuleFailure & { parentId: string })[];
  deadLettered: number;
  /** The changed twin's own conditions, when the change touched their inputs (rollups.conditions). */
  condition?: { status: ConditionOutcome['status']; steps: string[] };
}

/** Counters of one propagator since it started (per instance). */
export interface PropagateStats {
  events: number;
  malformed: number;
  /** Events that failed as a whole, permanently. */
  rejected: number;
  ruleFailures: number;
  deadLettered: number;
  trailingRefreshes: number;
  /** Trailing refreshes that had to write (the view had fallen behind ADT). */
  refreshWrites: number;
  /** Reconciles of incoming rules after re-pointed relationships (their old parents), and their writes. */
  repointReconciles: number;
  repointReconcileWrites: number;
  /** Derived writes refused beyond maxHops (a cycle in the twin graph). */
  hopLimited: number;
  failuresByReason: Record<string, number>;
}
