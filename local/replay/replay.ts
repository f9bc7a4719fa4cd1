// Dead-letter replay: every selected document goes back through the same pipeline (processBatch with
// the current configuration), partition by partition in sequence order. The replay's sink captures
// what the pipeline would dead-letter, so each document is decided on its own: applied or filtered →
// removed; refused again → rewritten in place with the earlier outcome kept in `replays`. A document
// is only removed after the batch that carried it returned, i.e. after its writes to ADT succeeded.

import { AdtDeadlineExceededError, isRetriable } from '../../shared/adt';
import { errorMessage, startLimited } from '../../shared/common';
import { DeadLetterReadError, type DeadLetterStore, type StoredDeadLetter } from '../../shared/deadLetter';
import { type BatchResult, decodeEvent, type LedgerEntry, processBatch, type RawEvent } from '../../shared/ingest';
import { createWorker, type IngestRuntime, type WorkerOptions } from '../../shared/worker';
import { type CapturedDeadLetter, CapturingDeadLetterSink } from './captureSink';
import { planBatch } from './dryRun';
import { withReplayHistory } from './history';
import { matchesReasons, replayBatches, replayChunks } from './order';
import { addToTotals, type AdtActivity, emptyTotals, type ReplayOutcome, type ReplayReport, type ReplayTotals } from './outcome';
import { rawEventOf } from './rawEvent';

export interface ReplayOptions {
  store: DeadLetterStore;
  /** The pipeline to replay through: configuration, ADT access, settings. Its dead-letter sink is the replay's own. */
  worker: Omit<WorkerOptions, 'deadLetters'>;
  /** Only documents with one of these reason codes (empty: all). */
  reasons?: readonly string[];
  /** Plan only: nothing is written to ADT or to the store. */
  dryRun?: boolean;
  /** Events per replayed batch (default 100). */
  batchSize?: number;
  /** Documents read from the store at once (default 8). */
  readParallelism?: number;
  onStart?(documents: number): void;
  onProgress?(examined: number, totals: ReplayTotals): void;
}

export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayReport> {
  const capture = new CapturingDeadLetterSink();
  const ingest = createWorker({ ...options.worker, deadLetters: capture }).ingest;
  const reasons = [...(options.reasons ?? [])];
  const names = await options.store.list();
  const report: ReplayReport = {
    store: options.store.target,
    dryRun: options.dryRun === true,
    reasons,
    found: names.length,
    selected: 0,
    unreadable: [],
    results: [],
    totals: emptyTotals(),
    adt: { requests: 0, retries: 0, throttled429: 0, twinsPatched: 0, telemetrySent: 0 },
  };
  const replayer = new BatchReplayer(ingest, capture, options.store, report.adt);
  options.onStart?.(names.length);
  let examined = 0;
  for (const chunk of replayChunks(names, options.batchSize ?? 100)) {
    const documents = await readChunk(options.store, chunk, options.readParallelism ?? 8, report);
    const selected = documents.filter((stored) => matchesReasons(stored, reasons));
    report.selected += selected.length;
    for (const batch of replayBatches(selected)) {
      const outcomes = options.dryRun ? await planBatch(batch, ingest) : await replayer.replay(batch);
      batch.forEach((stored, i) => {
        const outcome = outcomes[i] as ReplayOutcome;
        report.results.push({ name: stored.name, previousReason: stored.document.reason, outcome });
        addToTotals(report.totals, outcome);
      });
      if (replayer.stopped) break;
    }
    examined += chunk.length;
    options.onProgress?.(examined, report.totals);
    if (replayer.stopped) {
      report.stopped = { reason: replayer.stopped, notExamined: names.length - examined };
      break;
    }
  }
  return report;
}

async function readChunk(
  store: DeadLetterStore,
  names: readonly string[],
  parallelism: number,
  report: ReplayReport,
): Promise<StoredDeadLetter[]> {
  const reads = await Promise.allSettled(startLimited(names, parallelism, (name) => store.read(name)));
  const documents: StoredDeadLetter[] = [];
  reads.forEach((read, i) => {
    if (read.status === 'fulfilled') documents.push(read.value);
    // A broken document is reported and left where it is; anything else (storage down) ends the run.
    else if (read.reason instanceof DeadLetterReadError) report.unreadable.push({ name: names[i] as string, problem: read.reason.message });
    else
      throw new Error(
        `Reading ${names[i]} from ${store.target} failed: ${errorMessage(read.reason)}. Nothing more was replayed; run again when the store is reachable.`,
      );
  });
  return documents;
}

/** Throttling or ADT unavailability past the deadline: retrying document by document would not help. */
function isTransient(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isTransient);
  return error instanceof AdtDeadlineExceededError || isRetriable(error);
}

class BatchReplayer {
  /** Set when ADT stayed unavailable past a batch's deadline: later batches would only fail the same way. */
  stopped: string | undefined;

  constructor(
    private readonly ingest: IngestRuntime,
    private readonly capture: CapturingDeadLetterSink,
    private readonly store: DeadLetterStore,
    private readonly adt: AdtActivity,
  ) {}

  async replay(batch: readonly StoredDeadLetter[]): Promise<ReplayOutcome[]> {
    const events = batch.map((stored, index) => rawEventOf(stored.document, index));
    const partitionId = batch[0]?.document.partitionId;
    this.capture.drain();
    let result: BatchResult;
    try {
      result = await processBatch(events, { ...this.ingest, ...(partitionId !== undefined && { partitionId }) });
    } catch (error) {
      this.capture.drain();
      // One document's content must not hold back the others: replay them one by one. A transient
      // ADT failure would only fail again, so the whole batch stays untouched for a later run.
      if (batch.length > 1 && !isTransient(error)) {
        const outcomes: ReplayOutcome[] = [];
        for (const stored of batch) outcomes.push(...(await this.replay([stored])));
        return outcomes;
      }
      if (isTransient(error)) this.stopped = errorMessage(error);
      return batch.map(() => ({ kind: 'failed', error: errorMessage(error) }));
    }
    this.count(result);
    const again = this.capture.drain();
    const ledger = new Map(result.ledger.map((entry) => [entry.eventKey, entry]));
    return Promise.all(
      batch.map((stored, i) =>
        this.settle(stored, ledger.get(this.eventKeyOf(events[i] as RawEvent)), againFor(stored, again, batch.length)),
      ),
    );
  }

  /** The ledger's key for an event, by the pipeline's own rule (sequence number, else batch position). */
  private eventKeyOf(event: RawEvent): string {
    const decoded = decodeEvent(event, this.ingest.decodeOptions);
    return decoded.ok ? decoded.message.eventKey : decoded.eventKey;
  }

  private async settle(
    stored: StoredDeadLetter,
    entry: LedgerEntry | undefined,
    again: CapturedDeadLetter | undefined,
  ): Promise<ReplayOutcome> {
    if (again) {
      const rewritten = await this.store.rewrite(stored, withReplayHistory(stored.document, again.document));
      return {
        kind: 'dead-lettered',
        reason: again.document.reason,
        detail: again.document.detail,
        partiallyApplied: entry?.outcome === 'applied',
        rewritten,
      };
    }
    if (entry?.outcome === 'applied' || entry?.outcome === 'filtered') {
      return { kind: entry.outcome, reasons: entry.reasons, removed: await this.store.remove(stored) };
    }
    // The pipeline accounts for every event and dead-letters every refusal; anything else is a bug.
    return {
      kind: 'failed',
      error: `the pipeline reported ${entry ? `${entry.outcome} without a dead letter` : 'no outcome'} for this document; it was left as is.`,
    };
  }

  private count(result: BatchResult): void {
    this.adt.requests += result.summary.adtRequests;
    this.adt.retries += result.summary.retries;
    this.adt.throttled429 += result.summary.throttled429;
    this.adt.twinsPatched += result.summary.twinsPatched;
    this.adt.telemetrySent += result.summary.telemetrySent;
  }
}

/** The new dead letter of `stored`: matched by sequence number, or the only one of a one-document batch. */
function againFor(stored: StoredDeadLetter, again: readonly CapturedDeadLetter[], batchSize: number): CapturedDeadLetter | undefined {
  const sequence = stored.document.sequenceNumber;
  if (sequence === undefined) return batchSize === 1 ? again[0] : undefined;
  return again.find((captured) => captured.document.sequenceNumber === sequence);
}
