// One ingest batch end to end: decode → plan (map + coalesce) → ADT writes and telemetry through
// the gateway → dead letters → ledger and summary. Permanent problems are dead-lettered per message;
// a transient ADT failure past the deadline, or a failed dead-letter write, fails the invocation so
// the host redelivers the batch (re-applying is idempotent: same patches, same telemetry ids,
// same dead-letter names).

import { AdtDeadlineExceededError, type AdtGateway, AdtRequestError, type CallContext, emptyCallStats, isRetriable } from '../../adt';
import { type Clock, errorMessage, startLimited, systemClock } from '../../common';
import { buildDeadLetterDocument, deadLetterName, type DeadLetterSink, type RejectedPart } from '../../deadLetter';
import { recordDeferral, recordIngestBatch } from '../../telemetry';
import { defaultIngestOptions, type IngestOptions } from '../config';
import { decodeEvent, type DecodeOptions, normalizeOffset, normalizeSequenceNumber, normalizeTimestamp, safeMessageId } from '../decode';
import { chooseWriteNow, type Deferral, deferTwinUpdates, type DrainResult, openWriteWindow, type WriteWindow } from '../defer';
import {
  type DecodeFailure,
  describeUpdatePath,
  type DeviceMessage,
  type EventRefusal,
  type LifecycleAction,
  type PropertyUpdate,
  type RawEvent,
  type Refusal,
  type TwinUpdate,
  type TwinUpdateResult,
} from '../message';
import type { IngestPlanner, PlannedTelemetry } from '../plan';
import { applyLifecycle, hasStatefulUpdates, type SignificanceOf, writeTwinUpdate } from '../write';
import { type BatchSummary, writeSignificanceTotals } from './batchSummary';
import { BatchLedger, type LedgerEntry } from './ledger';
import type { PartitionHandovers } from './partitionHandover';

export interface ProcessBatchDeps {
  gateway: AdtGateway;
  deadLetters: DeadLetterSink;
  planner: IngestPlanner;
  /** Time the batch may spend before transient failures fail the invocation. */
  deadlineMs: number;
  partitionId?: string;
  decodeOptions?: DecodeOptions;
  /** ingest.options: twin updates in flight at once per batch, and whether sourceTimes are written (default: the options' defaults). */
  write?: Pick<IngestOptions, 'maxParallelTwins' | 'emitSourceTime' | 'maxClockSkewSeconds'> & { significance?: SignificanceOf };
  clock?: Clock;
  log?: (summary: BatchSummary) => void;
  /**
   * The deferred-values store and write window (shared/ingest/defer); absent = every twin is written
   * within the invocation, however long that takes. Needs emitSourceTime (the drainer's order guard).
   */
  deferral?: Deferral;
  /** Which partitions this process resumes after another instance held them (their twins are read afresh). */
  handovers?: PartitionHandovers;
}

export interface BatchResult {
  summary: BatchSummary;
  ledger: LedgerEntry[];
}

interface EventRecord {
  raw: RawEvent;
  eventKey: string;
  message?: DeviceMessage;
  /** Decoding refused the whole event. */
  decodeFailure?: DecodeFailure;
  /** Every refused part of the event (a value, a telemetry item, the whole message), in order. */
  refusals: Refusal[];
}

/**
 * Every refusal of every stage ends here: a dead-letter mark in the ledger and a part of the event's
 * dead letter. One shape in, so nothing is translated per stage.
 */
class Refusals {
  constructor(
    private readonly ledger: BatchLedger,
    private readonly byKey: ReadonlyMap<string, EventRecord>,
  ) {}

  add({ eventKey, ...refusal }: EventRefusal): void {
    this.ledger.mark(eventKey, 'dead-lettered', refusal.reason);
    this.byKey.get(eventKey)?.refusals.push(refusal);
  }
}

/** A refusal as the dead-letter document records it. */
function rejectedPart(refusal: Refusal): RejectedPart {
  return {
    twinId: refusal.twinId ?? '',
    path: refusal.path ?? '',
    value: refusal.value,
    reason: refusal.reason,
    detail: refusal.where === undefined ? refusal.detail : `${refusal.where}: ${refusal.detail}`,
  };
}

/** ADT de-duplicates telemetry on Message-Id, so it must survive redelivery: never a fresh UUID. */
export function telemetryMessageId(message: DeviceMessage, partitionId: string | undefined): string {
  return safeMessageId(message.messageId || `${partitionId ?? 'p'}-${message.sequenceNumber ?? message.eventKey}`);
}

/**
 * Only these fail the invocation (so the host redelivers the batch): ADT throttling or transient
 * failures that outlasted the deadline. Anything else one message's content caused is contained to
 * that message and dead-lettered.
 */
function mustRedeliver(error: unknown): boolean {
  return error instanceof AdtDeadlineExceededError || isRetriable(error);
}

export async function processBatch(events: RawEvent[], deps: ProcessBatchDeps): Promise<BatchResult> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const ctx: CallContext = { deadline: started + deps.deadlineMs, stats: emptyCallStats() };

  const records = events.map((raw) => decodeRecord(raw, deps.decodeOptions));
  const byKey = new Map(records.map((r) => [r.eventKey, r]));
  const ledger = new BatchLedger(records.map((r) => ({ eventKey: r.eventKey, messageId: r.message?.messageId })));
  const refusals = new Refusals(ledger, byKey);
  for (const record of records) if (record.decodeFailure) refusals.add(record.decodeFailure);

  const messages = records.flatMap((r) => (r.message ? [r.message] : []));
  const plan = await deps.planner(messages, ctx);
  for (const filtered of plan.filtered) ledger.mark(filtered.eventKey, 'filtered', filtered.reason);
  for (const refusal of plan.rejected) refusals.add(refusal);

  // Another instance wrote this partition's twins since this process last saw it: decide from fresh copies.
  if (deps.handovers?.resumedAfterGap(deps.partitionId, events)) deps.gateway.forgetTwins(plan.twinUpdates.map((u) => u.twinId));

  // Twins lifecycle events create come first (the batch's values may be for them); retirements last.
  const lifecycle = plan.lifecycle ?? [];
  const lifecycleFailures = await runLifecycle(
    lifecycle.filter((a) => a.kind === 'create'),
    deps,
    ctx,
    clock,
    ledger,
    refusals,
  );
  const write = deps.write ?? defaultIngestOptions;
  const writeOptions = {
    emitSourceTime: write.emitSourceTime,
    maxClockSkewMs: write.maxClockSkewSeconds * 1000,
    now: () => clock.now(),
    ...('significance' in write && write.significance && { significance: write.significance }),
  };
  // Without sourceTimes in ADT the drainer could not tell an old deferred value from a newer write.
  const deferral = write.emitSourceTime ? deps.deferral : undefined;
  const window = deferral ? openWriteWindow(deferral, deps.gateway, clock.now()) : undefined;
  let split: WindowSplit;
  try {
    split =
      deferral && window
        ? await splitForWindow(plan.twinUpdates, deferral, window, deps, ctx)
        : { writeNow: plan.twinUpdates, deferLater: [], drained: undefined };
  } catch (error) {
    window?.close();
    throw error;
  }
  const { writeNow, drained } = split;
  const deferLater = [...split.deferLater];
  // A twin whose turn comes after the window closed is deferred instead (undefined): the window holds
  // even when more partitions share this process's budget than when it opened, or a 429 halved it.
  const startBy = window?.startBy ?? Number.POSITIVE_INFINITY;
  const twinWork = startLimited(writeNow, write.maxParallelTwins, (update) =>
    // A stateful total is folded over the state it is written to, so its twin is written now, never deferred.
    clock.now() < startBy || hasStatefulUpdates(update)
      ? writeTwinUpdate(update, deps.gateway, ctx, writeOptions)
      : Promise.resolve(undefined),
  );
  // Stored before the invocation returns, so the host checkpoints these events only once their values are durable.
  const deferWork = (async (): Promise<number> => {
    if (!deferral) return 0;
    const outcomes = await Promise.allSettled(twinWork);
    window?.close();
    outcomes.forEach((o, i) => o.status === 'fulfilled' && o.value === undefined && deferLater.push(writeNow[i] as TwinUpdate));
    return deferLater.length > 0 ? deferTwinUpdates(deferral.store, deferral.buckets, deferLater, new Date(clock.now())) : 0;
  })();
  // A twin's telemetry goes after its update: the update may create the twin the telemetry needs.
  const twinSettled = new Map<string, Promise<unknown> | undefined>(
    writeNow.map((update, i) => [
      update.twinId,
      twinWork[i]?.then(
        () => undefined,
        () => undefined,
      ),
    ]),
  );
  let telemetrySent = 0;
  const telemetryWork = plan.telemetry.map(async (planned) => {
    await twinSettled.get(planned.twinId);
    if (await publishTelemetry(planned, deps, ctx, ledger, refusals, byKey)) telemetrySent += 1;
  });
  const [twinOutcomes, telemetryOutcomes, deferOutcome] = await Promise.all([
    Promise.allSettled(twinWork),
    Promise.allSettled(telemetryWork),
    deferWork.then(
      (n) => ({ ok: true as const, n }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
  ]);
  lifecycleFailures.push(
    ...(await runLifecycle(
      lifecycle.filter((a) => a.kind === 'delete'),
      deps,
      ctx,
      clock,
      ledger,
      refusals,
    )),
  );
  // A deferred value is durable in the store, on its way to ADT: its messages count as applied.
  if (deferOutcome.ok)
    for (const update of deferLater) for (const value of update.updates) for (const key of value.eventKeys) ledger.mark(key, 'applied');

  const results = twinOutcomes.flatMap((o) => (o.status === 'fulfilled' && o.value !== undefined ? [o.value] : []));
  const superseded = new SupersededValues(plan.superseded ?? []);
  for (const result of results) recordTwinResult(result, ledger, refusals, superseded);
  twinOutcomes.forEach((outcome, i) => {
    const update = writeNow[i];
    if (outcome.status === 'rejected' && update && !mustRedeliver(outcome.reason))
      containWriteFailure(update.updates, update.twinId, outcome.reason, refusals, superseded);
  });

  // Dead letters are written even when the batch is about to fail: redelivery overwrites them.
  const deadLetterFailures = await writeDeadLetters(records, deps, clock);
  const failures = [...twinOutcomes, ...telemetryOutcomes]
    .flatMap((o) => (o.status === 'rejected' && mustRedeliver(o.reason) ? [o.reason as unknown] : []))
    .concat(lifecycleFailures, deadLetterFailures);
  if (!deferOutcome.ok)
    failures.push(
      new Error(
        `Deferring ${deferLater.length} twin(s) to ${deferral?.store.target} failed: ${errorMessage(deferOutcome.error)}. The batch fails so no value is lost.`,
      ),
    );
  if (failures.length > 0) {
    throw failures.length === 1
      ? failures[0]
      : new AggregateError(
          failures,
          `${failures.length} part(s) of the batch failed; the batch will be redelivered. First: ${errorMessage(failures[0])}`,
        );
  }

  const totals = ledger.close();
  const deadLetteredByReason: Record<string, number> = {};
  const filteredByReason: Record<string, number> = {};
  let partiallyApplied = 0;
  for (const entry of totals.entries) {
    if (entry.outcome === 'applied' && entry.reasons.length > 0) partiallyApplied++;
    if (entry.outcome === 'applied') continue;
    const reason = entry.reasons[0] ?? 'unknown';
    const counts = entry.outcome === 'dead-lettered' ? deadLetteredByReason : filteredByReason;
    counts[reason] = (counts[reason] ?? 0) + 1;
  }
  const receivedBySource: Record<string, number> = {};
  for (const record of records) {
    const source = record.message ? (record.message.source?.kind ?? 'telemetry') : 'undecoded';
    receivedBySource[source] = (receivedBySource[source] ?? 0) + 1;
  }
  const rejectedValuesByReason: Record<string, number> = {};
  for (const record of records) {
    if (record.decodeFailure) continue;
    for (const part of record.refusals) rejectedValuesByReason[part.reason] = (rejectedValuesByReason[part.reason] ?? 0) + 1;
  }
  const summary: BatchSummary = {
    event: 'ingest.batch',
    partitionId: deps.partitionId,
    received: events.length,
    applied: totals.applied,
    filtered: totals.filtered,
    deadLettered: totals.deadLettered,
    deadLetteredByReason,
    filteredByReason,
    receivedBySource,
    partiallyApplied,
    deadLetterDocuments: records.filter(needsDeadLetter).length,
    rejectedValuesByReason,
    twinsPatched: results.filter((r) => r.patches > 0).length,
    twinsCreated:
      results.filter((r) => r.created).length +
      lifecycle.filter((a) => a.kind === 'create' && ledger.outcomeOf(a.eventKey) === 'applied').length,
    patches: results.reduce((n, r) => n + r.patches, 0),
    operations: results.reduce((n, r) => n + r.operations, 0),
    messagesCoalesced: plan.coalescedValues,
    telemetrySent,
    staleValuesSkipped: results.reduce((n, r) => n + r.stale.length, 0),
    ...readingsSkipped(results),
    ...writeSignificanceTotals(results),
    futureSourceTimesClamped: plan.clampedSourceTimes ?? 0,
    traceparentsDropped: messages.filter((m) => m.traceparentDropped).length,
    prototypeKeysRemoved: messages.filter((m) => m.prototypeKeys !== undefined).length,
    adtRequests: ctx.stats.requests,
    retries: ctx.stats.retries,
    throttled429: ctx.stats.throttled,
    durationMs: clock.now() - started,
    ...(deferral && {
      deferral: {
        writeCapacity: window?.capacity ?? 0,
        twinsDeferred: deferLater.length,
        valuesDeferred: deferOutcome.ok ? deferOutcome.n : 0,
        ...drainNumbers(drained),
      },
    }),
  };
  deps.log?.(summary);
  recordIngestBatch(summary, messages, { started, ended: started + summary.durationMs });
  if (summary.deferral)
    recordDeferral({
      valuesDeferred: summary.deferral.valuesDeferred,
      valuesDrained: summary.deferral.valuesDrained,
      oldestDeferredAgeSeconds: summary.deferral.oldestDeferredAgeSeconds,
    });
  return { summary, ledger: totals.entries };
}

/** Skipped stateful readings by reason, when there are any (an applied message's filtered reading shows here too). */
function readingsSkipped(results: readonly TwinUpdateResult[]): Pick<BatchSummary, 'readingsSkipped'> {
  const counts: Record<string, number> = {};
  for (const result of results) for (const { reason } of result.skippedReadings ?? []) counts[reason] = (counts[reason] ?? 0) + 1;
  return Object.keys(counts).length === 0 ? {} : { readingsSkipped: counts };
}

interface WindowSplit {
  writeNow: TwinUpdate[];
  deferLater: TwinUpdate[];
  drained: DrainResult | Error | undefined;
}

function drainNumbers(
  drained: DrainResult | Error | undefined,
): Omit<NonNullable<BatchSummary['deferral']>, 'writeCapacity' | 'twinsDeferred' | 'valuesDeferred'> {
  if (drained instanceof Error)
    return { twinsDrained: 0, valuesDrained: 0, bucketsHoldingValues: 0, oldestDeferredAgeSeconds: 0, drainError: errorMessage(drained) };
  return {
    twinsDrained: drained?.twinsWritten ?? 0,
    valuesDrained: drained?.valuesWritten ?? 0,
    bucketsHoldingValues: drained?.bucketsHoldingValues ?? 0,
    oldestDeferredAgeSeconds: Math.round((drained?.oldestDeferredAgeSeconds ?? 0) * 10) / 10,
  };
}

/**
 * The write window: deferred twins first (longest waiting first, so every twin is refreshed within
 * about the store's size over the budget), then this batch's most valuable twins in what is left;
 * the rest is deferred. A drain that fails (storage briefly unreachable) costs nothing but its turn:
 * its values stay durable for the next invocation or the timer.
 */
async function splitForWindow(
  updates: TwinUpdate[],
  deferral: Deferral,
  window: WriteWindow,
  deps: ProcessBatchDeps,
  ctx: CallContext,
): Promise<WindowSplit> {
  const capacity = window.capacity;
  let drained: DrainResult | Error;
  try {
    drained = await deferral.drainer.drain(capacity, ctx, window.startBy);
  } catch (error) {
    drained = error instanceof Error ? error : new Error(errorMessage(error));
  }
  const used = drained instanceof Error ? 0 : drained.twinsWritten + drained.twinsLeft;
  // Twins with a stateful target are never deferred (a deferred total would be written over another state): they go first.
  const stateful = updates.filter(hasStatefulUpdates);
  const others = stateful.length === 0 ? updates : updates.filter((u) => !hasStatefulUpdates(u));
  const { now, later } = chooseWriteNow(
    others,
    Math.max(0, capacity - used - stateful.length),
    (twinId) => deps.gateway.guardCopy(twinId)?.twin,
  );
  return { writeNow: stateful.length === 0 ? now : [...stateful, ...now], deferLater: later, drained };
}

async function publishTelemetry(
  planned: PlannedTelemetry,
  deps: ProcessBatchDeps,
  ctx: CallContext,
  ledger: BatchLedger,
  refusals: Refusals,
  byKey: Map<string, EventRecord>,
): Promise<boolean> {
  const record = byKey.get(planned.eventKey);
  if (!record?.message) throw new Error(`Telemetry planned for unknown event ${planned.eventKey}.`);
  const { eventKey, traceparent, messageId, ...telemetry } = planned;
  try {
    await deps.gateway.publishTelemetry(
      { ...telemetry, messageId: messageId ?? telemetryMessageId(record.message, deps.partitionId) },
      { ...ctx, traceparent: traceparent ?? record.message.traceparent },
    );
  } catch (error) {
    // Retrying cannot help (no such twin or component, payload refused): dead-letter, do not fail the batch.
    if (mustRedeliver(error)) throw error;
    const answer = error instanceof AdtRequestError ? error : undefined;
    refusals.add({
      eventKey,
      reason: answer ? (answer.kind === 'twinNotFound' ? 'unknown-twin' : 'adt-rejected') : 'write-failed',
      twinId: planned.twinId,
      path: planned.component === undefined ? '(telemetry)' : `/${planned.component} (telemetry)`,
      value: planned.payload,
      detail: answer
        ? `ADT refused the telemetry (${answer.status ?? '-'} ${answer.code ?? ''}): ${answer.message}`
        : `The telemetry could not be sent: ${errorMessage(error)}`,
    });
    return false;
  }
  ledger.mark(eventKey, 'applied');
  return true;
}

/**
 * Carries out lifecycle actions, a few at a time; each marks its event. Failures only retrying can fix
 * are returned (the batch is redelivered: creating and retiring are safe to repeat); anything else
 * is contained to its event.
 */
async function runLifecycle(
  actions: LifecycleAction[],
  deps: ProcessBatchDeps,
  ctx: CallContext,
  clock: Clock,
  ledger: BatchLedger,
  refusals: Refusals,
): Promise<unknown[]> {
  if (actions.length === 0) return [];
  const work = startLimited(actions, (deps.write ?? defaultIngestOptions).maxParallelTwins, (action) =>
    applyLifecycle(action, deps.gateway, ctx, () => clock.now()),
  );
  const outcomes = await Promise.allSettled(work);
  const failures: unknown[] = [];
  outcomes.forEach((settled, index) => {
    const action = actions[index] as LifecycleAction;
    if (settled.status === 'rejected') {
      if (mustRedeliver(settled.reason)) failures.push(settled.reason);
      else
        refusals.add({
          eventKey: action.eventKey,
          reason: 'write-failed',
          twinId: action.twinId,
          detail: `${action.kind === 'create' ? 'Creating' : 'Retiring'} twin ${action.twinId} failed: ${errorMessage(settled.reason)}`,
        });
      return;
    }
    const outcome = settled.value;
    if (outcome.outcome === 'applied') ledger.mark(action.eventKey, 'applied');
    else if (outcome.outcome === 'filtered') ledger.mark(action.eventKey, 'filtered', outcome.reason);
    else refusals.add({ eventKey: action.eventKey, reason: outcome.reason, twinId: action.twinId, detail: outcome.detail });
  });
  return failures;
}

function decodeRecord(raw: RawEvent, options: DecodeOptions | undefined): EventRecord {
  const decoded = decodeEvent(raw, options);
  if (decoded.ok) return { raw, eventKey: decoded.message.eventKey, message: decoded.message, refusals: [] };
  return { raw, eventKey: decoded.eventKey, decodeFailure: decoded, refusals: [] };
}

/**
 * The values coalescing superseded, by event and property: a dead letter carries its own message's
 * value. Indexed on the first refusal that needs one; a batch with nothing refused never builds it
 * (at the fleet shape most values are superseded, so building it every batch was real work).
 */
class SupersededValues {
  private index: Map<string, unknown> | undefined;

  constructor(private readonly superseded: readonly PropertyUpdate[]) {}

  valueOf(eventKey: string, twinId: string, update: PropertyUpdate): unknown {
    if (!this.index) {
      this.index = new Map();
      for (const loser of this.superseded) this.index.set(supersededKey(loser.eventKeys[0] as string, loser.twinId, loser), loser.value);
    }
    return this.index.get(supersededKey(eventKey, twinId, update));
  }
}

function supersededKey(eventKey: string, twinId: string, update: PropertyUpdate): string {
  return `${eventKey}\u0000${twinId}${describeUpdatePath(update)}`;
}

/**
 * Dead-letters a refused update: the first event is the one whose value was refused; the others
 * (values it superseded in the batch) carry their own value and say why it was not written.
 */
function refuseUpdate(
  update: PropertyUpdate,
  twinId: string,
  { reason, detail }: Refusal,
  refusals: Refusals,
  superseded: SupersededValues,
): void {
  update.eventKeys.forEach((key, position) => {
    const own = position === 0;
    refusals.add({
      eventKey: key,
      twinId,
      path: describeUpdatePath(update),
      value: own ? update.value : superseded.valueOf(key, twinId, update),
      reason: own ? reason : 'superseded-by-rejected',
      detail: own
        ? detail
        : `a newer value of ${describeUpdatePath(update)} in the same batch (event ${update.eventKeys[0]}) was refused (${reason}), so this one was not written either; replay it once the newer one is fixed`,
    });
  });
}

/** A twin write that failed without an ADT answer (a bug, an unexpected error): its messages are dead-lettered, the batch goes on. */
function containWriteFailure(
  updates: readonly PropertyUpdate[],
  twinId: string,
  error: unknown,
  refusals: Refusals,
  superseded: SupersededValues,
): void {
  for (const update of updates)
    refuseUpdate(
      update,
      twinId,
      { reason: 'write-failed', detail: `Writing twin ${twinId} failed: ${errorMessage(error)}` },
      refusals,
      superseded,
    );
}

function recordTwinResult(result: TwinUpdateResult, ledger: BatchLedger, refusals: Refusals, superseded: SupersededValues): void {
  for (const update of result.applied) for (const key of update.eventKeys) ledger.mark(key, 'applied');
  for (const update of result.stale) for (const key of update.eventKeys) ledger.mark(key, 'filtered', 'stale-source-time');
  for (const { update, reason } of result.suppressed ?? []) for (const key of update.eventKeys) ledger.mark(key, 'filtered', reason);
  for (const { eventKey, reason } of result.skippedReadings ?? []) ledger.mark(eventKey, 'filtered', reason);
  for (const rejected of result.rejected) refuseUpdate(rejected.update, result.twinId, rejected, refusals, superseded);
}

/** An event with any part refused (an undecodable one included) gets a dead-letter document. */
const needsDeadLetter = (record: EventRecord): boolean => record.refusals.length > 0;

/** `twin/path: detail`; a part refused before any twin was known (a rule's expression) is its detail alone. */
const describePart = (part: { twinId: string; path: string; detail: string }): string =>
  part.twinId === '' && part.path === '' ? part.detail : `${part.twinId}${part.path}: ${part.detail}`;

async function writeDeadLetters(records: EventRecord[], deps: ProcessBatchDeps, clock: Clock): Promise<unknown[]> {
  const now = new Date(clock.now());
  const writes = records.filter(needsDeadLetter).map(async (record) => {
    // A decode failure refuses the whole event: the document says why, and has no parts.
    const parts = record.decodeFailure ? [] : record.refusals.map(rejectedPart);
    const document = buildDeadLetterDocument({
      event: record.raw,
      reason: record.refusals[0]?.reason ?? 'unknown',
      detail: record.decodeFailure?.detail ?? parts.map(describePart).join(' | '),
      at: now,
      partitionId: deps.partitionId,
      // An undecodable event has no DeviceMessage: its position and ids come from the raw metadata.
      sequenceNumber: record.message?.sequenceNumber ?? normalizeSequenceNumber(record.raw.sequenceNumber),
      offset: record.message?.offset ?? normalizeOffset(record.raw.offset),
      enqueuedTime: record.message?.enqueuedTime ?? normalizeTimestamp(record.raw.enqueuedTimeUtc),
      messageId: record.message?.messageId ?? record.decodeFailure?.messageId,
      deviceId: record.message?.deviceId ?? record.decodeFailure?.deviceId,
      rejectedParts: parts,
    });
    await deps.deadLetters.write(deadLetterName(document, record.eventKey), document);
  });
  const outcomes = await Promise.allSettled(writes);
  return outcomes.flatMap((o) =>
    o.status === 'rejected'
      ? [
          new Error(
            `Dead-letter write to ${deps.deadLetters.target} failed: ${errorMessage(o.reason)}. The batch fails so no message is lost.`,
          ),
        ]
      : [],
  );
}
