// Creating, patching and deleting relationships: validation against the source twin's model, then commit.
import { AdtError, errors } from '../errors';
import { newEtag } from '../etag';
import type { RequestContext } from '../http/context';
import { type JsonObject, propertyNames } from '../metadata';
import { applyRelationshipPatch } from '../patch/applyPatch';
import { diffProperties } from '../patch/diff';
import { checkDocumentSize } from '../payloadLimits';
import type { EmulatorServices } from '../services';
import type { PatchOperation, RelationshipDoc } from '../types';
import { requireTwin } from './common';
import { trace } from './twinWrites';

function validate(services: EmulatorServices, rel: RelationshipDoc): void {
  const source = requireTwin(services, rel.$sourceId);
  const target = services.twins.get(rel.$targetId);
  if (!target) throw errors.targetTwinNotFound();
  const properties = Object.fromEntries(propertyNames(rel).map((k) => [k, rel[k]]));
  const issues = services.models.validateRelationship(source.$metadata.$model, rel.$relationshipName, target.$metadata.$model, properties);
  if (issues.length > 0) {
    const base = errors.invalidRelationship('');
    throw new AdtError(
      400,
      base.code,
      base.message,
      issues.map((message) => ({ code: 'ValidationFailed', message })),
    );
  }
}

/** PUT body → stored relationship. The path's source and relationship id win over body `$` fields. */
export function upsertRelationship(
  services: EmulatorServices,
  sourceId: string,
  relationshipId: string,
  body: JsonObject,
  ctx?: RequestContext,
): RelationshipDoc {
  requireTwin(services, sourceId);
  const targetId = body['$targetId'];
  const name = body['$relationshipName'];
  if (typeof targetId !== 'string' || targetId === '')
    throw errors.invalidArgument('The relationship must name its target twin in $targetId.');
  if (typeof name !== 'string' || name === '')
    throw errors.invalidArgument('The relationship must name its model relationship in $relationshipName.');
  if (targetId === sourceId) throw errors.relationshipToSelf();
  const previous = services.relationships.get(sourceId, relationshipId);
  if (!previous) {
    for (const twinId of [sourceId, targetId]) {
      if (services.relationships.countFor(twinId) >= services.store.maxRelationshipsPerTwin * 2) {
        throw new AdtError(
          400,
          'LimitExceeded',
          `Twin ${twinId} already has the maximum number of relationships (${services.store.maxRelationshipsPerTwin} incoming and outgoing). Delete relationships first.`,
        );
      }
    }
  }
  const rel: RelationshipDoc = {
    $relationshipId: relationshipId,
    $etag: newEtag(),
    $sourceId: sourceId,
    $relationshipName: name,
    $targetId: targetId,
  };
  for (const key of propertyNames(body)) rel[key] = structuredClone(body[key]);
  validate(services, rel);
  checkDocumentSize(rel, services.payload, 'relationship');
  services.relationships.set(rel);
  if (previous) {
    const patch = diffProperties(previous, rel);
    services.notify({
      type: 'Microsoft.DigitalTwins.Relationship.Update',
      subject: subject(rel),
      data: { modelId: modelOfSource(services, rel), patch },
      ...trace(ctx),
    });
  } else {
    services.notify({ type: 'Microsoft.DigitalTwins.Relationship.Create', subject: subject(rel), data: rel, ...trace(ctx) });
  }
  services.changed();
  return rel;
}

export function patchRelationship(
  services: EmulatorServices,
  ctx: RequestContext,
  current: RelationshipDoc,
  ops: PatchOperation[],
): RelationshipDoc {
  if (ops.length === 0) return current;
  const patched = applyRelationshipPatch(current, ops);
  validate(services, patched);
  patched.$etag = newEtag();
  checkDocumentSize(patched, services.payload, 'relationship');
  services.relationships.set(patched);
  services.notify({
    type: 'Microsoft.DigitalTwins.Relationship.Update',
    subject: subject(patched),
    data: { modelId: modelOfSource(services, patched), patch: ops },
    ...trace(ctx),
  });
  services.changed();
  return patched;
}

export function deleteRelationship(services: EmulatorServices, ctx: RequestContext, rel: RelationshipDoc): void {
  services.relationships.delete(rel.$sourceId, rel.$relationshipId);
  services.notify({ type: 'Microsoft.DigitalTwins.Relationship.Delete', subject: subject(rel), data: rel, ...trace(ctx) });
  services.changed();
}

const subject = (rel: RelationshipDoc): string => `${rel.$sourceId}/relationships/${rel.$relationshipId}`;
const modelOfSource = (services: EmulatorServices, rel: RelationshipDoc): string | undefined =>
  services.twins.get(rel.$sourceId)?.$metadata.$model;
