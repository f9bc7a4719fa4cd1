// What the run has done so far, fed from what the functions themselves report: the ingest function's
// one structured log line per batch ("ingest.batch") and the propagate function's returned summary.
import type { BatchSummary } from '../../shared/ingest';
import type { FunctionLogLine } from './invoke';

/** Batch-summary counts the run adds up under the summary's own names (the type follows the summary's). */
const summedCounts = [
  'applied',
  'filtered',
  'deadLettered',
  'partiallyApplied',
  'deadLetterDocuments',
  'heartbeatWrites',
] as const satisfies readonly (keyof BatchSummary)[];
/** Batch-summary counts by reason, added up reason by reason. */
const summedByReason = [
  'deadLetteredByReason',
  'filteredByReason',
  'receivedBySource',
  'rejectedValuesByReason',
  'suppressedWrites',
] as const satisfies readonly (keyof BatchSummary)[];

export type RunStats = Pick<BatchSummary, (typeof summedCounts)[number] | (typeof summedByReason)[number]> & {
  /** Batch summaries' `received`. */
  messagesIn: number;
  ingestInvocations: number;
  /** Invocations that threw (each one is redelivered or, after the last retry, lost). */
  ingestFailures: number;
  /** Batch summaries' `adtRequests` and `throttled429`: requests the gateway made and 429s it saw. */
  ingestAdtRequests: number;
  ingestThrottled: number;
  propagateInvocations: number;
  propagateFailures: number;
  propagationWrites: number;
  propagationUnchanged: number;
  /** 412s the propagate function met writing a parent (another writer got there first) and recomputed after. */
  propagationPreconditionRetries: number;
  /** Emulator-wide, when the loop runs on the emulator. */
  adtCalls?: number;
  adtThrottled?: number;
};

export function emptyStats(): RunStats {
  return {
    messagesIn: 0,
    ...(Object.fromEntries(summedCounts.map((key) => [key, 0])) as Record<(typeof summedCounts)[number], number>),
    deadLetteredByReason: {},
    rejectedValuesByReason: {},
    suppressedWrites: {},
    filteredByReason: {},
    receivedBySource: {},
    ingestInvocations: 0,
    ingestFailures: 0,
    ingestAdtRequests: 0,
    ingestThrottled: 0,
    propagateInvocations: 0,
    propagateFailures: 0,
    propagationWrites: 0,
    propagationUnchanged: 0,
    propagationPreconditionRetries: 0,
  };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Folds one ingest log line into the stats; other lines are ignored. */
export function recordIngestLog(stats: RunStats, line: FunctionLogLine): boolean {
  let value: unknown;
  try {
    value = JSON.parse(line.message);
  } catch {
    return false;
  }
  const s = value as Record<string, unknown> | null;
  if (s?.event !== 'ingest.batch') return false;
  stats.messagesIn += num(s.received);
  for (const key of summedCounts) stats[key] += num(s[key]);
  for (const key of summedByReason) addCounts(stats[key], s[key]);
  stats.ingestAdtRequests += num(s.adtRequests);
  stats.ingestThrottled += num(s.throttled429);
  return true;
}

function addCounts(into: Record<string, number>, from: unknown): void {
  if (typeof from !== 'object' || from === null) return;
  for (const [reason, n] of Object.entries(from)) into[reason] = (into[reason] ?? 0) + num(n);
}

/** Folds the propagate function's return value (its per-event summary) into the stats. */
export function recordPropagateResult(stats: RunStats, result: unknown): void {
  const r = result as { writes?: unknown; skippedUnchanged?: unknown; preconditionRetries?: unknown } | null;
  stats.propagationWrites += num(r?.writes);
  stats.propagationUnchanged += num(r?.skippedUnchanged);
  stats.propagationPreconditionRetries += num(r?.preconditionRetries);
}

export function progressLine(stats: RunStats, pending: number): string {
  const adt =
    stats.adtCalls !== undefined
      ? `ADT calls ${stats.adtCalls} | 429s ${stats.adtThrottled ?? 0}`
      : `ADT calls ${stats.ingestAdtRequests} | 429s ${stats.ingestThrottled}`;
  return [
    `in ${stats.messagesIn}`,
    `applied ${stats.applied}`,
    `dead letters ${stats.deadLetterDocuments} (${stats.deadLettered} refused${stats.partiallyApplied ? `, ${stats.partiallyApplied} partly` : ''})`,
    adt,
    `propagation writes ${stats.propagationWrites}`,
    `queued ${pending}`,
  ].join(' | ');
}
