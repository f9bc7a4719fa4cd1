// Shapes shared by the emulator's parts (store, models, query, events). Wire JSON is kept as ADT sends it.

/** A twin exactly as GET /digitaltwins/{id} returns it. */
export interface TwinDoc {
  $dtId: string;
  $etag: string;
  $metadata: TwinMetadata;
  [property: string]: unknown;
}

export interface PropertyMetadata {
  lastUpdateTime: string;
  sourceTime?: string;
}

export interface TwinMetadata {
  $model: string;
  $lastUpdateTime?: string;
  [property: string]: PropertyMetadata | string | undefined;
}

/** A relationship exactly as GET /digitaltwins/{id}/relationships/{relId} returns it. */
export interface RelationshipDoc {
  $relationshipId: string;
  $etag: string;
  $sourceId: string;
  $relationshipName: string;
  $targetId: string;
  [property: string]: unknown;
}

/** One RFC 6902 operation as ADT accepts it (add/replace/remove only). */
export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

export type NotificationType =
  | 'Microsoft.DigitalTwins.Twin.Create'
  | 'Microsoft.DigitalTwins.Twin.Update'
  | 'Microsoft.DigitalTwins.Twin.Delete'
  | 'Microsoft.DigitalTwins.Relationship.Create'
  | 'Microsoft.DigitalTwins.Relationship.Update'
  | 'Microsoft.DigitalTwins.Relationship.Delete'
  | 'microsoft.iot.telemetry';

/**
 * A change notification before it is shaped for an endpoint schema. Fields follow CloudEvents 1.0
 * (the emulator's canonical form); the Event Grid schema is derived from it at delivery.
 */
export interface Notification {
  specversion: '1.0';
  id: string;
  type: NotificationType;
  /** Instance host name, e.g. `127.0.0.1:4443`; telemetry uses `<host>/digitaltwins/<twinId>`. */
  source: string;
  subject?: string;
  time?: string;
  datacontenttype: string;
  dataschema?: string;
  traceparent: string;
  data: unknown;
  /** Monotonic per `source`, so consumers can order and de-duplicate. */
  sequencenumber: number;
}

/** Operation classes the service limits are counted against. */
export type OperationKind =
  | 'twin.read'
  | 'twin.create'
  | 'twin.replace'
  | 'twin.patch'
  | 'twin.delete'
  | 'relationship.read'
  | 'relationship.create'
  | 'relationship.patch'
  | 'relationship.delete'
  | 'telemetry'
  | 'model.read'
  | 'model.write'
  | 'query'
  | 'route.read'
  | 'route.write'
  | 'job.read'
  | 'job.write';
