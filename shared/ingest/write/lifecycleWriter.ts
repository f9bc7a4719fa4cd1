// Carries out a device lifecycle action against ADT's truth. Create: the twin with its model (every
// component present, as ADT requires), If-None-Match so a twin someone else created is left alone
// (filtered twin-exists). Delete: every outgoing and incoming relationship, then the twin — ADT
// refuses to delete a twin with relationships, and each relationship deletion notifies, so the old
// parents' roll-ups are recomputed by propagate. A 404 anywhere means someone else got there first:
// the event is filtered twin-already-gone, never an error. Throttling and the deadline propagate
// (the batch is redelivered; every step is safe to repeat).

import { type AdtGateway, AdtRequestError, type CallContext, isRetriable } from '../../adt';
import type { DeadLetterReason, FilterReason, LifecycleAction } from '../message';
import { createTwin } from './twinWriter';

export type LifecycleOutcome =
  | { outcome: 'applied' }
  | { outcome: 'filtered'; reason: FilterReason; detail: string }
  | { outcome: 'rejected'; reason: DeadLetterReason; detail: string };

const isNotFound = (error: unknown): boolean => error instanceof AdtRequestError && error.status === 404;
const isPermanent = (error: unknown): error is AdtRequestError =>
  error instanceof AdtRequestError && (error.kind === 'permanent' || error.kind === 'validationFailed');

export async function applyLifecycle(
  action: LifecycleAction,
  gateway: AdtGateway,
  ctx: CallContext,
  now: () => number,
): Promise<LifecycleOutcome> {
  return action.kind === 'create' ? create(action, gateway, ctx, now) : retire(action.twinId, gateway, ctx);
}

async function create(
  action: Extract<LifecycleAction, { kind: 'create' }>,
  gateway: AdtGateway,
  ctx: CallContext,
  now: () => number,
): Promise<LifecycleOutcome> {
  const { twinId, modelId } = action;
  const created = await gateway.withTwin(twinId, ctx, (twin) =>
    createTwin(twinId, modelId, action.properties ?? {}, {
      twin,
      modelIndex: (id) => gateway.modelIndex(id, ctx),
      emitSourceTime: true,
      trustedFutureMs: 0,
      now,
    }),
  );
  if ('reason' in created) {
    if (created.reason === 'model-unavailable') return { outcome: 'filtered', reason: 'no-model-for-device', detail: created.detail };
    return { outcome: 'rejected', reason: created.reason, detail: created.detail };
  }
  const exists: LifecycleOutcome = { outcome: 'filtered', reason: 'twin-exists', detail: `twin ${twinId} exists already` };
  if (action.parent === undefined) return created.created ? { outcome: 'applied' } : exists;
  // The parent's relationship: its creation notifies, so propagate brings the parent's roll-ups up to date.
  const { twinId: parentId, relationship } = action.parent;
  try {
    await gateway.upsertRelationship(
      { $sourceId: parentId, $relationshipId: `${relationship}-${twinId}`, $targetId: twinId, $relationshipName: relationship },
      ctx,
    );
  } catch (error) {
    if (!(error instanceof AdtRequestError) || isRetriable(error)) throw error;
    return {
      outcome: 'rejected',
      reason: 'adt-rejected',
      detail: `twin ${twinId} was created, but ADT refused its ${relationship} relationship from ${parentId} (${error.status ?? '-'} ${error.code ?? ''}): ${error.message}`,
    };
  }
  // A twin that existed still gets its relationship (an upsert): a redelivered create completes one that failed halfway.
  return created.created ? { outcome: 'applied' } : exists;
}

async function retire(twinId: string, gateway: AdtGateway, ctx: CallContext): Promise<LifecycleOutcome> {
  const gone: LifecycleOutcome = {
    outcome: 'filtered',
    reason: 'twin-already-gone',
    detail: `twin ${twinId} does not exist: nothing to retire`,
  };
  try {
    const [outgoing, incoming] = await Promise.all([
      gateway.listRelationships(twinId, undefined, ctx),
      gateway.listIncomingRelationships(twinId, ctx),
    ]);
    const relationships = [
      ...outgoing.map((r) => [r.$sourceId || twinId, r.$relationshipId] as const),
      ...incoming.map((r) => [r.sourceId, r.relationshipId] as const),
    ];
    for (const [sourceId, relationshipId] of relationships) {
      try {
        await gateway.deleteRelationship(sourceId, relationshipId, ctx);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    await gateway.deleteTwin(twinId, ctx);
    return { outcome: 'applied' };
  } catch (error) {
    if (isNotFound(error)) return gone;
    if (isPermanent(error))
      return {
        outcome: 'rejected',
        reason: 'adt-rejected',
        detail: `ADT refused to retire twin ${twinId} (${error.status ?? '-'} ${error.code ?? ''}): ${error.message}`,
      };
    throw error;
  }
}
