// Writes one twin's coalesced property updates: know the twin (cache, else one GET, else create
// when allowed), drop out-of-order values, then send a single PATCH conditional on the ETag. Whether a
// value fits the model was decided while mapping (map/modelFit); the writer keeps what only it can
// know: the twin's stored sourceTimes, its ETag, and ADT's answer. Failures that retrying cannot fix
// are reported per update; transient ones propagate (the batch is redelivered).

import { type AdtFailureKind, type AdtGateway, AdtRequestError, type CallContext, type Twin, type TwinSession } from '../../adt';
import { isOlder } from '../../common';
import type { ModelIndex } from '../../dtdl';
import {
  type DeadLetterReason,
  type PropertyUpdate,
  type RejectedUpdate,
  type TwinUpdate,
  type TwinUpdateResult,
  valueSegments,
} from '../message';
import { buildPatch, requestGroups, storedSourceTime } from './patchBuilder';
import { alreadyStored, decideWrite, type SignificanceOf, type StoredProperty } from './significance';
import { isolationGroups, refoldAfterConflict, statefulCandidates } from './statefulDecisions';

export interface TwinWriterDeps {
  /** The gateway's exclusive session on this twin (one request in flight per twin). */
  twin: TwinSession;
  /** The model a missing twin is created with (its components must be in the create body). */
  modelIndex(modelId: string): Promise<ModelIndex>;
  /** ingest.options.emitSourceTime. */
  emitSourceTime: boolean;
  /**
   * A stored sourceTime further than this ahead of `now` was written by a wrong clock: it must not
   * freeze the property, so it does not make newer-by-the-clock values stale.
   */
  trustedFutureMs: number;
  now: () => number;
  /** Each property's deadband and maxAge (default: none, so only equal values are suppressed). */
  significance?: SignificanceOf;
}

export interface TwinWriteOptions {
  emitSourceTime: boolean;
  /** ingest.options.maxClockSkewSeconds in ms. */
  maxClockSkewMs: number;
  now: () => number;
  significance?: SignificanceOf;
}

const isKind = (error: unknown, ...kinds: AdtFailureKind[]): error is AdtRequestError =>
  error instanceof AdtRequestError && kinds.includes(error.kind);

/** Writes one twin's update through the gateway, holding the twin for the whole decision. */
export function writeTwinUpdate(
  update: TwinUpdate,
  gateway: AdtGateway,
  ctx: CallContext,
  options: TwinWriteOptions,
): Promise<TwinUpdateResult> {
  const callCtx = { ...ctx, traceparent: update.traceparent ?? ctx.traceparent };
  return gateway.withTwin(update.twinId, callCtx, (twin) =>
    applyTwinUpdate(update, {
      twin,
      modelIndex: (modelId) => gateway.modelIndex(modelId, callCtx),
      emitSourceTime: options.emitSourceTime,
      trustedFutureMs: options.maxClockSkewMs,
      now: options.now,
      ...(options.significance && { significance: options.significance }),
    }),
  );
}

export async function applyTwinUpdate(update: TwinUpdate, deps: TwinWriterDeps): Promise<TwinUpdateResult> {
  const result: TwinUpdateResult = {
    twinId: update.twinId,
    applied: [],
    stale: [],
    rejected: [],
    created: false,
    patches: 0,
    operations: 0,
  };
  const rejectAll = (reason: DeadLetterReason, detail: string, updates: PropertyUpdate[] = update.updates): TwinUpdateResult => {
    result.rejected.push(...updates.map((u) => ({ update: u, reason, detail })));
    return result;
  };

  let twin = deps.twin.cached?.twin ?? (await readIfExists(deps));
  if (!twin) {
    if (update.ifMissing.policy === 'deadLetter') {
      return rejectAll(
        'unknown-twin',
        `Twin ${update.twinId} does not exist in ADT. Create it, fix the twin id mapping, or set the mapping's unknown-twin policy to "create".`,
      );
    }
    const created = await createTwin(update.twinId, update.ifMissing.modelId, update.ifMissing.properties ?? {}, deps);
    if ('reason' in created) return rejectAll(created.reason, created.detail);
    twin = created.twin;
    result.created = created.created;
  }

  const heartbeats = new Set<PropertyUpdate>();
  const candidates = decideWrites(update.updates, twin, deps, result, heartbeats);
  // Normally one PATCH; a coalesced update over ADT's 32 KB request limit goes out in several.
  for (const group of requestGroups(candidates)) await patchWithFallback(update.twinId, group, deps, result, heartbeats);
  if (heartbeats.size > 0) result.heartbeats = result.applied.filter((u) => heartbeats.has(u)).length;
  return result;
}

/**
 * Decides each update against what the twin holds: stale (out of order), already there (a
 * redelivery: applied, no write), suppressed (equal or within its deadband, heartbeat not due) or to
 * be written (a heartbeat counted as such). Returns what must be written.
 */
function decideWrites(
  updates: readonly PropertyUpdate[],
  twin: Twin,
  deps: TwinWriterDeps,
  result: TwinUpdateResult,
  heartbeats: Set<PropertyUpdate>,
): PropertyUpdate[] {
  const candidates: PropertyUpdate[] = [];
  for (const propertyUpdate of updates) {
    // A stateful target folds its readings over this copy's state (no deadband: see write/statefulWrites).
    if (statefulCandidates(propertyUpdate, twin, result, candidates, deps.now() + deps.trustedFutureMs)) continue;
    if (isStale(propertyUpdate, twin, deps)) {
      result.stale.push(propertyUpdate);
      continue;
    }
    const stored = storedProperty(twin, propertyUpdate);
    if (alreadyStored(propertyUpdate, stored)) {
      result.applied.push(propertyUpdate);
      continue;
    }
    // Write only what matters: an equal value, or one within the deadband, costs nothing until its heartbeat is due.
    const decision = decideWrite(propertyUpdate, stored, deps.significance?.(propertyUpdate));
    if (!decision.write) (result.suppressed ??= []).push({ update: propertyUpdate, reason: decision.reason });
    else {
      if (decision.heartbeat) heartbeats.add(propertyUpdate);
      candidates.push(propertyUpdate);
    }
  }
  return candidates;
}

/** The value the copy holds at the update's path (own keys only), and the property's stored sourceTime. */
function storedProperty(twin: Twin, update: PropertyUpdate): StoredProperty {
  let node: unknown = twin;
  for (const segment of valueSegments(update)) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.prototype.hasOwnProperty.call(node, segment))
      return { known: false };
    node = (node as Record<string, unknown>)[segment];
  }
  return { known: true, value: node, sourceTime: storedSourceTime(twin, update) };
}

/**
 * Out of order: an update carrying IoT Hub's own order is stale when the twin already keeps that
 * order's key at least as high (the same event redelivered included); otherwise, or when the twin
 * keeps no key yet, when it is older than the stored sourceTime.
 */
function isStale(update: PropertyUpdate, twin: Twin, deps: TwinWriterDeps): boolean {
  const stored = update.order?.stored === undefined ? undefined : storedOrderKey(twin, update.order.stored);
  if (stored !== undefined && update.order !== undefined) return update.order.key <= stored;
  return isOlder(update.sourceTime, trustedStoredTime(twin, update, deps));
}

/** The order key the twin keeps (a companion property's text), or undefined. */
function storedOrderKey(twin: Twin, at: { component?: string; property: string }): string | undefined {
  const container: unknown = at.component === undefined ? twin : twin[at.component];
  const value = typeof container === 'object' && container !== null ? (container as Record<string, unknown>)[at.property] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The stored sourceTime, unless a clock far ahead wrote it (then it guards nothing). */
function trustedStoredTime(twin: Twin, update: PropertyUpdate, deps: TwinWriterDeps): string | undefined {
  const stored = storedSourceTime(twin, update);
  if (stored === undefined) return undefined;
  return Date.parse(stored) > deps.now() + deps.trustedFutureMs ? undefined : stored;
}

async function readIfExists(deps: TwinWriterDeps): Promise<Twin | undefined> {
  try {
    return (await deps.twin.getTwin()).twin;
  } catch (error) {
    if (isKind(error, 'twinNotFound')) return undefined;
    throw error;
  }
}

type CreateOutcome = { twin: Twin; created: boolean } | { reason: DeadLetterReason; detail: string };

export async function createTwin(
  twinId: string,
  modelId: string,
  properties: Record<string, unknown>,
  deps: TwinWriterDeps,
): Promise<CreateOutcome> {
  let index: ModelIndex;
  try {
    index = await deps.modelIndex(modelId);
  } catch (error) {
    if (isKind(error, 'permanent'))
      return {
        reason: 'model-unavailable',
        detail: `Cannot create twin ${twinId}: model ${modelId} could not be fetched (${error.message}). Upload the model or fix the configured model id.`,
      };
    throw error;
  }
  const view = index.interface(modelId);
  if (!view)
    return {
      reason: 'model-unavailable',
      detail: `Cannot create twin ${twinId}: model ${modelId} is not in ADT. Upload it or fix the configured model id.`,
    };
  // ADT requires every component to be present when a twin is created; configured initial values
  // (a component's as a nested object) go into the same body.
  const document: Record<string, unknown> = { ...properties, $metadata: { $model: modelId } };
  for (const name of view.components.keys()) {
    const initial = properties[name];
    document[name] = { ...(typeof initial === 'object' && initial !== null && !Array.isArray(initial) ? initial : {}), $metadata: {} };
  }
  try {
    return { twin: (await deps.twin.createTwin(document)).twin, created: true };
  } catch (error) {
    // Someone else created it since we looked: use theirs.
    if (isKind(error, 'preconditionFailed')) return { twin: (await deps.twin.getTwin()).twin, created: false };
    if (isKind(error, 'validationFailed', 'permanent'))
      return { reason: 'adt-rejected', detail: `ADT refused to create twin ${twinId} with model ${modelId}: ${error.message}` };
    throw error;
  }
}

/** How often a write re-reads the twin after another writer changed it (412) before the batch is redelivered. */
const maxPreconditionRetries = 5;

async function patchWithFallback(
  twinId: string,
  candidates: PropertyUpdate[],
  deps: TwinWriterDeps,
  result: TwinUpdateResult,
  heartbeats: Set<PropertyUpdate>,
): Promise<void> {
  let updates = candidates;
  let attempt = await tryPatch(twinId, updates, deps, result);
  // Another writer (an instance that took over the partition, a device on another partition, any
  // client) changed the twin since we read it: re-read and decide again on what it holds now —
  // the values suppressed against the old copy too (what they equalled may have changed) — and
  // try again. With a single writer this never happens, so it costs nothing.
  for (let retry = 0; attempt !== 'ok' && attempt.kind === 'preconditionFailed'; retry++) {
    if (retry >= maxPreconditionRetries) {
      throw new AdtRequestError(
        `Twin ${twinId} kept changing under ${maxPreconditionRetries} re-reads (412 Precondition Failed each time); the batch will be redelivered.`,
        503,
        'PreconditionContention',
      );
    }
    const fresh = (await deps.twin.getTwin()).twin;
    const suppressed = (result.suppressed ?? []).map((s) => s.update);
    result.suppressed = [];
    for (const update of updates) heartbeats.delete(update);
    // A stateful target's writes are folded again from the fresh state (another writer may have moved its total).
    updates = decideWrites(refoldAfterConflict([...updates, ...suppressed], result), fresh, deps, result, heartbeats);
    if (result.suppressed.length === 0) delete result.suppressed;
    if (updates.length === 0) return;
    attempt = await tryPatch(twinId, updates, deps, result);
  }
  if (attempt === 'ok') return;
  if (attempt.kind === 'unresolvablePath') {
    // Our copy thought a parent existed; read the twin and build the patch again from the truth.
    await deps.twin.getTwin();
    const retry = await tryPatch(twinId, updates, deps, result);
    if (retry === 'ok') return;
    return isolate(twinId, updates, deps, result, retry);
  }
  if (attempt.kind === 'twinNotFound') {
    result.rejected.push(
      ...updates.map((u) => ({
        update: u,
        reason: 'unknown-twin' as const,
        detail: `Twin ${twinId} was deleted while the batch was processed.`,
      })),
    );
    return;
  }
  return isolate(twinId, updates, deps, result, attempt);
}

/** One PATCH; resolves 'ok', or the failure when it is one that a different patch could avoid. */
async function tryPatch(
  twinId: string,
  updates: PropertyUpdate[],
  deps: TwinWriterDeps,
  result: TwinUpdateResult,
): Promise<'ok' | AdtRequestError> {
  const known = deps.twin.cached;
  const patch = buildPatch(known?.twin, updates, { emitSourceTime: deps.emitSourceTime });
  try {
    // Conditional on the copy the stale check used: a second writer shows up as 412, never as a lost update.
    await deps.twin.updateTwin(patch, known?.etag ? { ifMatch: known.etag } : undefined);
    result.applied.push(...updates);
    result.patches += 1;
    result.operations += patch.length;
    return 'ok';
  } catch (error) {
    if (isKind(error, 'unresolvablePath', 'validationFailed', 'permanent', 'twinNotFound', 'preconditionFailed')) return error;
    throw error;
  }
}

/** ADT refused the combined patch: send each update alone so only the culprit is rejected. */
async function isolate(
  twinId: string,
  updates: PropertyUpdate[],
  deps: TwinWriterDeps,
  result: TwinUpdateResult,
  failure: AdtRequestError,
): Promise<void> {
  // A stateful target's total and its input stay together (one is never written without the other).
  const groups = isolationGroups(updates);
  if (groups.length === 1) {
    result.rejected.push(...updates.map((u) => rejectedByAdt(u, failure)));
    return;
  }
  for (const single of groups) {
    const outcome = await tryPatch(twinId, single, deps, result);
    if (outcome !== 'ok') {
      if (outcome.kind === 'unresolvablePath') await deps.twin.getTwin();
      const second = outcome.kind === 'unresolvablePath' ? await tryPatch(twinId, single, deps, result) : outcome;
      if (second !== 'ok') result.rejected.push(...single.map((u) => rejectedByAdt(u, second)));
    }
  }
}

function rejectedByAdt(update: PropertyUpdate, error: AdtRequestError): RejectedUpdate {
  const reason: DeadLetterReason = error.kind === 'twinNotFound' ? 'unknown-twin' : 'adt-rejected';
  return { update, reason, detail: `ADT rejected the update (${error.status ?? '-'} ${error.code ?? ''}): ${error.message}` };
}
