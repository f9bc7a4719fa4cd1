// The per-message ledger of one batch: every event ends as exactly one of applied, filtered(reason) or
// dead-lettered(reason), so the orchestrator can prove received = applied + filtered + dead-lettered.
// A message may collect several marks (one value applied, another rejected): anything applied makes
// the message applied (its rejected values are dead-lettered on their own); otherwise a rejection
// makes it dead-lettered; otherwise it is filtered. Reasons are kept in the order they were marked.

export type LedgerOutcome = 'applied' | 'filtered' | 'dead-lettered';

export interface LedgerEntry {
  eventKey: string;
  messageId?: string;
  outcome: LedgerOutcome;
  /** Reasons of the marks that decided the outcome (empty for a cleanly applied message). */
  reasons: string[];
}

export interface LedgerTotals {
  entries: LedgerEntry[];
  received: number;
  applied: number;
  filtered: number;
  deadLettered: number;
  /** Events that were never marked: a bug in the orchestrator; listed so it shows in logs and tests. */
  unaccounted: string[];
}

const rank: Readonly<Record<LedgerOutcome, number>> = { filtered: 0, 'dead-lettered': 1, applied: 2 };

interface Marks {
  messageId?: string;
  outcome?: LedgerOutcome;
  /** Made on the first reason: a cleanly applied message (nearly all) never needs one. */
  reasons?: Map<LedgerOutcome, string[]>;
}

export class BatchLedger {
  private readonly marks = new Map<string, Marks>();

  constructor(events: ReadonlyArray<{ eventKey: string; messageId?: string }>) {
    for (const event of events) {
      if (this.marks.has(event.eventKey))
        throw new Error(`Event key ${event.eventKey} appears twice in one batch; event keys must be unique.`);
      const marks: Marks = {};
      if (event.messageId !== undefined) marks.messageId = event.messageId;
      this.marks.set(event.eventKey, marks);
    }
  }

  mark(eventKey: string, outcome: LedgerOutcome, reason?: string): void {
    const entry = this.marks.get(eventKey);
    if (!entry) throw new Error(`Ledger has no event ${eventKey}; mark only events of this batch.`);
    if (entry.outcome === undefined || rank[outcome] > rank[entry.outcome]) entry.outcome = outcome;
    if (reason !== undefined) {
      entry.reasons ??= new Map();
      const list = entry.reasons.get(outcome) ?? [];
      if (!list.includes(reason)) list.push(reason);
      entry.reasons.set(outcome, list);
    }
  }

  outcomeOf(eventKey: string): LedgerOutcome | undefined {
    return this.marks.get(eventKey)?.outcome;
  }

  close(): LedgerTotals {
    const totals: LedgerTotals = { entries: [], received: this.marks.size, applied: 0, filtered: 0, deadLettered: 0, unaccounted: [] };
    for (const [eventKey, entry] of this.marks) {
      if (entry.outcome === undefined) {
        totals.unaccounted.push(eventKey);
        continue;
      }
      // An applied message reports the values rejected alongside it.
      const reasons = entry.reasons?.get(entry.outcome === 'applied' ? 'dead-lettered' : entry.outcome);
      const closed: LedgerEntry = { eventKey, outcome: entry.outcome, reasons: reasons ? [...reasons] : [] };
      if (entry.messageId !== undefined) closed.messageId = entry.messageId;
      totals.entries.push(closed);
      if (entry.outcome === 'applied') totals.applied++;
      else if (entry.outcome === 'filtered') totals.filtered++;
      else totals.deadLettered++;
    }
    return totals;
  }
}
