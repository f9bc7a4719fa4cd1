// The one structured log record written per event.
import type { EventSchema } from '../notifications';
import type { ReadCounter, RecomputeStatus } from '../rollup';

export type EventOutcome = 'processed' | 'ignored' | 'malformed' | 'rejected';

export interface ParentResult {
  parentId: string;
  status: RecomputeStatus;
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
}
