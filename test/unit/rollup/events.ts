// Builders for ADT notifications in CloudEvents form (the unit tests' input).
let n = 0;
const trace = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

export function cloudEvent(type: string, subject: string, data: unknown, traceparent = trace): Record<string, unknown> {
  n += 1;
  return {
    specversion: '1.0',
    id: `ev-${n}`,
    type,
    source: 'adt.test',
    subject,
    time: '2024-01-01T00:00:00Z',
    datacontenttype: 'application/json',
    traceparent,
    data,
  };
}

export const twinUpdate = (twinId: string, modelId: string, patch: unknown[]) =>
  cloudEvent('Microsoft.DigitalTwins.Twin.Update', twinId, { modelId, patch });
export const relationshipEvent = (kind: 'Create' | 'Delete', source: string, name: string, target: string) =>
  cloudEvent(`Microsoft.DigitalTwins.Relationship.${kind}`, `${source}/relationships/${source}-${name}-${target}`, {
    $relationshipId: `${source}-${name}-${target}`,
    $etag: 'W/"x"',
    $sourceId: source,
    $relationshipName: name,
    $targetId: target,
  });
export const twinLifecycle = (kind: 'Create' | 'Delete', twinId: string, modelId: string) =>
  cloudEvent(`Microsoft.DigitalTwins.Twin.${kind}`, twinId, { $dtId: twinId, $etag: 'W/"x"', $metadata: { $model: modelId } });
export const relationshipUpdate = (source: string, relationshipId: string, sourceModel: string) =>
  cloudEvent('Microsoft.DigitalTwins.Relationship.Update', `${source}/relationships/${relationshipId}`, {
    modelId: sourceModel,
    patch: [],
  });
