// Checks the `data` of each ADT notification type; returns a reason string when it does not fit.
import type { JsonPatchOperation, Twin } from '../adt';
import type { ChangeNotification, RelationshipRef } from './types';

export const adtTypes = {
  twinCreate: 'Microsoft.DigitalTwins.Twin.Create',
  twinUpdate: 'Microsoft.DigitalTwins.Twin.Update',
  twinDelete: 'Microsoft.DigitalTwins.Twin.Delete',
  relationshipCreate: 'Microsoft.DigitalTwins.Relationship.Create',
  relationshipUpdate: 'Microsoft.DigitalTwins.Relationship.Update',
  relationshipDelete: 'Microsoft.DigitalTwins.Relationship.Delete',
  telemetry: 'microsoft.iot.telemetry',
} as const;

export type AdtKind = keyof typeof adtTypes;

/** ADT's own spelling is exact, but we compare without case so a relay that re-cases types still works. */
export function adtKindOf(type: string): AdtKind | undefined {
  const lower = type.toLowerCase();
  return (Object.keys(adtTypes) as AdtKind[]).find((k) => adtTypes[k].toLowerCase() === lower);
}

type Checked<T> = { value: T } | { reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function checkPatch(patch: unknown): Checked<JsonPatchOperation[]> {
  if (!Array.isArray(patch)) return { reason: 'data.patch is not an array (expected a JSON Patch)' };
  const ops: JsonPatchOperation[] = [];
  for (const [i, op] of patch.entries()) {
    if (!isRecord(op)) return { reason: `data.patch[${i}] is not an object` };
    if (op.op !== 'add' && op.op !== 'replace' && op.op !== 'remove')
      return { reason: `data.patch[${i}].op is ${JSON.stringify(op.op)}; expected add, replace or remove` };
    if (typeof op.path !== 'string' || !op.path.startsWith('/'))
      return { reason: `data.patch[${i}].path must be a JSON pointer starting with "/"` };
    ops.push(op.op === 'remove' ? { op: op.op, path: op.path } : { op: op.op, path: op.path, value: op.value });
  }
  return { value: ops };
}

function checkTwin(data: unknown, subject: string | undefined): Checked<Twin> {
  if (!isRecord(data)) return { reason: 'data is not a twin object' };
  const id = data.$dtId ?? subject;
  if (!isText(id)) return { reason: 'data.$dtId is missing and the event has no subject' };
  if (!isRecord(data.$metadata) || !isText(data.$metadata.$model)) return { reason: 'data.$metadata.$model is missing' };
  return { value: { ...data, $dtId: id, $metadata: { ...data.$metadata, $model: data.$metadata.$model } } };
}

function checkRelationship(data: unknown): Checked<RelationshipRef> {
  if (!isRecord(data)) return { reason: 'data is not a relationship object' };
  for (const key of ['$relationshipId', '$sourceId', '$targetId', '$relationshipName'] as const) {
    if (!isText(data[key])) return { reason: `data.${key} is missing or not a string` };
  }
  return {
    value: {
      relationshipId: data.$relationshipId as string,
      sourceId: data.$sourceId as string,
      targetId: data.$targetId as string,
      relationshipName: data.$relationshipName as string,
    },
  };
}

/** `<twinId>/relationships/<relationshipId>`; ids may themselves contain "/" only in the twin part. */
function splitRelationshipSubject(subject: string | undefined): { sourceId: string; relationshipId: string } | undefined {
  const marker = '/relationships/';
  const at = subject?.lastIndexOf(marker) ?? -1;
  if (subject === undefined || at <= 0) return undefined;
  const relationshipId = subject.slice(at + marker.length);
  return relationshipId ? { sourceId: subject.slice(0, at), relationshipId } : undefined;
}

export function toChange(kind: AdtKind, data: unknown, subject: string | undefined): Checked<ChangeNotification> {
  switch (kind) {
    case 'telemetry':
      return { value: { kind: 'ignored', reason: 'telemetry is not a twin change' } };
    case 'twinUpdate': {
      if (!isRecord(data)) return { reason: 'data is not an object with modelId and patch' };
      if (!isText(subject)) return { reason: 'subject (the twin id) is missing' };
      if (!isText(data.modelId)) return { reason: 'data.modelId is missing' };
      const patch = checkPatch(data.patch);
      return 'reason' in patch ? patch : { value: { kind, twinId: subject, modelId: data.modelId, patch: patch.value } };
    }
    case 'twinCreate':
    case 'twinDelete': {
      const twin = checkTwin(data, subject);
      return 'reason' in twin ? twin : { value: { kind, twinId: twin.value.$dtId, twin: twin.value } };
    }
    case 'relationshipCreate':
    case 'relationshipDelete': {
      const rel = checkRelationship(data);
      return 'reason' in rel ? rel : { value: { kind, relationship: rel.value } };
    }
    case 'relationshipUpdate': {
      const ref = splitRelationshipSubject(subject);
      if (!ref) return { reason: 'subject is not "<twinId>/relationships/<relationshipId>"' };
      const patch = checkPatch(isRecord(data) ? data.patch : undefined);
      const modelId = isRecord(data) && isText(data.modelId) ? data.modelId : undefined;
      return 'reason' in patch ? patch : { value: { kind, ...ref, modelId, patch: patch.value } };
    }
  }
}
