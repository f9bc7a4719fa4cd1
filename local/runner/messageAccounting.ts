// Where every fed message ended, by message id, from what the runner saw itself: which batch
// invocation succeeded with which events, and the ingest function's summary of that invocation
// (its ledger totals). Redelivered batches count once (only the attempt that succeeded reports a
// summary); a message in a batch given up after its last retry is "given up" — the one outcome
// Event Hubs cannot undo, because the host checkpoints past it.
import type { TelemetryEnvelope } from '../../shared/ingest';
import type { EnqueuedEvent } from './eventHubTriggerRequest';

export interface BatchTotals {
  received: number;
  applied: number;
  filtered: number;
  deadLettered: number;
}

export interface MessageAccounting {
  /** Messages fed: to the Event Hub side, plus those POSTed to the HTTP ingest function. */
  fed: number;
  /** Of them, messages the HTTP ingest function took (POST /api/telemetry on the --follow ingress). */
  viaHttp: number;
  /** Summed over the successful invocations' summaries. */
  received: number;
  applied: number;
  filtered: number;
  deadLettered: number;
  /** Ids of messages whose batch was given up after its last retry. */
  givenUp: string[];
  /** Fed but in no finished batch (still queued when the run ended): message ids, or a count of those without one. */
  undelivered: string[];
  /** Ids that two successful invocations both reported (a replay bug, not a redelivery). */
  duplicated: string[];
  /** Successful invocations whose summary is missing or does not add up to the events they carried. */
  unbalancedBatches: number;
  /** received = fed = applied + filtered + dead-lettered, each id once, none given up or left over. */
  balanced: boolean;
}

/** The id a message is known by: its IoT Hub message id, else partition/sequence number. */
export function messageKey(partitionId: string, event: EnqueuedEvent): string {
  return event.envelope.messageId ?? `${partitionId}/${event.sequenceNumber}`;
}

/**
 * `perId: false` keeps counts only (soak runs: remembering every id would itself grow without
 * bound); duplicates and the list of undelivered ids then stay empty and only the counts balance.
 */
export class MessageLedger {
  private fedCount = 0;
  private httpCount = 0;
  private doneCount = 0;
  private lostCount = 0;
  /** Fed message ids; a message without one is only known by partition/sequence once delivered. */
  private readonly fedIds = new Set<string>();
  private readonly done = new Map<string, number>();
  private readonly lost = new Set<string>();
  private totals: BatchTotals = { received: 0, applied: 0, filtered: 0, deadLettered: 0 };
  private unbalanced = 0;

  constructor(private readonly perId = true) {}

  fed(envelopes: readonly TelemetryEnvelope[]): void {
    this.fedCount += envelopes.length;
    if (this.perId) for (const envelope of envelopes) if (envelope.messageId !== undefined) this.fedIds.add(envelope.messageId);
  }

  /** A batch invocation that returned; `summary` is what the function logged for it. */
  succeeded(partitionId: string, events: readonly EnqueuedEvent[], summary: BatchTotals | undefined): void {
    this.doneCount += events.length;
    if (this.perId) {
      for (const event of events) {
        const key = messageKey(partitionId, event);
        this.done.set(key, (this.done.get(key) ?? 0) + 1);
      }
    }
    if (!summary || summary.received !== events.length || summary.applied + summary.filtered + summary.deadLettered !== summary.received) this.unbalanced++;
    if (!summary) return;
    this.totals = {
      received: this.totals.received + summary.received,
      applied: this.totals.applied + summary.applied,
      filtered: this.totals.filtered + summary.filtered,
      deadLettered: this.totals.deadLettered + summary.deadLettered,
    };
  }

  /**
   * A request the HTTP ingest function answered, by its summary: those messages came in and ended
   * there (no Event Hub, no redelivery), so they are fed and done at once. Without this the page's
   * two "applied" counters (stats and accounting) disagreed after an HTTP ingest.
   */
  httpIngested(summary: BatchTotals): void {
    this.fedCount += summary.received;
    this.httpCount += summary.received;
    this.doneCount += summary.received;
    if (summary.applied + summary.filtered + summary.deadLettered !== summary.received) this.unbalanced++;
    this.totals = {
      received: this.totals.received + summary.received,
      applied: this.totals.applied + summary.applied,
      filtered: this.totals.filtered + summary.filtered,
      deadLettered: this.totals.deadLettered + summary.deadLettered,
    };
  }

  /** The batch's last retry failed: the host would checkpoint past it. */
  gaveUp(partitionId: string, events: readonly EnqueuedEvent[]): void {
    this.lostCount += events.length;
    for (const event of events) this.lost.add(messageKey(partitionId, event));
  }

  report(): MessageAccounting {
    const givenUp = [...this.lost];
    const duplicated = [...this.done].filter(([, n]) => n > 1).map(([key]) => key);
    const undelivered = [...this.fedIds].filter((id) => !this.done.has(id) && !this.lost.has(id));
    const left = this.fedCount - this.doneCount - this.lostCount;
    if (left > undelivered.length) undelivered.push(`${left - undelivered.length} message(s) without a message id`);
    const { received, applied, filtered, deadLettered } = this.totals;
    return {
      fed: this.fedCount,
      viaHttp: this.httpCount,
      received,
      applied,
      filtered,
      deadLettered,
      givenUp,
      undelivered,
      duplicated,
      unbalancedBatches: this.unbalanced,
      balanced:
        received === this.fedCount &&
        applied + filtered + deadLettered === received &&
        this.lostCount === 0 &&
        left === 0 &&
        undelivered.length === 0 &&
        duplicated.length === 0 &&
        this.unbalanced === 0,
    };
  }
}

/** The ingest function's per-invocation summary line ("ingest.batch"), or undefined for other lines. */
export function batchTotalsOf(message: string): BatchTotals | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  const s = value as Record<string, unknown> | null;
  if (s?.event !== 'ingest.batch') return undefined;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number.NaN);
  return { received: n(s.received), applied: n(s.applied), filtered: n(s.filtered), deadLettered: n(s.deadLettered) };
}
