// Where every fed message ended, from what the runner saw itself: which batch invocation succeeded
// with which events, and the ingest function's summary of that invocation (its ledger totals).
// An event is known by what is unique to it — its partition and sequence number — never by its
// message id: IoT Hub delivers at least once and devices re-send, so real captures repeat ids, and a
// repeated id is information (counted), not a fault. Redelivered batches count once (only the attempt
// that succeeded reports a summary); a message in a batch given up after its last retry is "given
// up" — the one outcome Event Hubs cannot undo, because the host checkpoints past it.
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
  /** Messages whose batch was given up after its last retry: message id, else partition/sequence number. */
  givenUp: string[];
  /** Fed but in no finished batch (still queued when the run ended): message ids, or a count of those without one. */
  undelivered: string[];
  /** Events (partition/sequence number) that two successful invocations both reported (a replay bug, not a redelivery). */
  duplicated: string[];
  /** Message ids carried by more than one fed message (device re-sends, at-least-once capture): information, not a failure. */
  repeatedMessageIds: number;
  /** Successful invocations whose summary is missing or does not add up to the events they carried. */
  unbalancedBatches: number;
  /** received = fed = applied + filtered + dead-lettered, each event once, none given up or left over. */
  balanced: boolean;
}

/** What is unique to one event: its partition and its sequence number there. */
export function eventKey(partitionId: string, event: EnqueuedEvent): string {
  return `${partitionId}/${event.sequenceNumber}`;
}

/** How a message is named to a person: its IoT Hub message id, else partition/sequence number. */
function messageName(partitionId: string, event: EnqueuedEvent): string {
  return event.envelope.messageId ?? eventKey(partitionId, event);
}

const increment = (counts: Map<string, number>, key: string): void => {
  counts.set(key, (counts.get(key) ?? 0) + 1);
};

/**
 * `perId: false` keeps counts only (soak runs: remembering every id would itself grow without
 * bound); duplicates and the list of undelivered ids then stay empty and only the counts balance.
 */
export class MessageLedger {
  private fedCount = 0;
  private httpCount = 0;
  private doneCount = 0;
  private lostCount = 0;
  /** Fed messages per message id (an id may repeat); a message without one is counted only. */
  private readonly fedIds = new Map<string, number>();
  /** Finished messages (succeeded or given up) per message id, each event once. */
  private readonly finishedIds = new Map<string, number>();
  /** Successful reports per event (partition/sequence number). */
  private readonly done = new Map<string, number>();
  private readonly lost = new Map<string, string>();
  private totals: BatchTotals = { received: 0, applied: 0, filtered: 0, deadLettered: 0 };
  private unbalanced = 0;

  constructor(private readonly perId = true) {}

  fed(envelopes: readonly TelemetryEnvelope[]): void {
    this.fedCount += envelopes.length;
    if (this.perId) for (const envelope of envelopes) if (envelope.messageId !== undefined) increment(this.fedIds, envelope.messageId);
  }

  /** A batch invocation that returned; `summary` is what the function logged for it. */
  succeeded(partitionId: string, events: readonly EnqueuedEvent[], summary: BatchTotals | undefined): void {
    this.doneCount += events.length;
    if (this.perId) {
      for (const event of events) {
        const key = eventKey(partitionId, event);
        if (!this.done.has(key) && !this.lost.has(key)) this.finished(event);
        increment(this.done, key);
      }
    }
    if (!summary || summary.received !== events.length || summary.applied + summary.filtered + summary.deadLettered !== summary.received)
      this.unbalanced++;
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
    for (const event of events) {
      const key = eventKey(partitionId, event);
      if (this.perId && !this.done.has(key) && !this.lost.has(key)) this.finished(event);
      this.lost.set(key, messageName(partitionId, event));
    }
  }

  private finished(event: EnqueuedEvent): void {
    if (event.envelope.messageId !== undefined) increment(this.finishedIds, event.envelope.messageId);
  }

  report(): MessageAccounting {
    const givenUp = [...this.lost.values()];
    const duplicated = [...this.done].filter(([, n]) => n > 1).map(([key]) => key);
    // An id fed n times is undelivered as often as fewer than n of its events finished.
    const undelivered = [...this.fedIds].flatMap(([id, n]) => Array<string>(Math.max(0, n - (this.finishedIds.get(id) ?? 0))).fill(id));
    const repeatedMessageIds = [...this.fedIds.values()].filter((n) => n > 1).length;
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
      repeatedMessageIds,
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
