// Wire shapes exchanged with ADT (as GET returns them) and the port the gateway talks through. The
// rest of the core uses these types too: one Twin, one Relationship, one JSON Patch operation.

export interface PropertyMetadata {
  lastUpdateTime?: string;
  sourceTime?: string;
}

/** A twin as GET /digitaltwins/{id} returns it. Components are nested objects with their own `$metadata`. */
export interface Twin {
  $dtId: string;
  $etag?: string;
  $metadata: { $model: string; [property: string]: unknown };
  [property: string]: unknown;
}

export interface Relationship {
  $relationshipId: string;
  $sourceId: string;
  $relationshipName: string;
  $targetId: string;
  $etag?: string;
  [property: string]: unknown;
}

/** Incoming relationship as the SDK re-maps it (no `$` prefixes). */
export interface IncomingRelationship {
  relationshipId: string;
  sourceId: string;
  relationshipName: string;
  relationshipLink?: string;
}

/** The one JSON Patch operation type of the core (RFC 6902 as ADT accepts it). */
export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

export interface TelemetryMessage {
  twinId: string;
  /** Component name for component telemetry; undefined for the twin itself. */
  component?: string;
  payload: Record<string, unknown>;
  /** Deterministic id so ADT de-duplicates redelivered messages. */
  messageId: string;
  /** Device time (RFC 3339), sent as Telemetry-Source-Time. */
  sourceTime?: string;
}

export interface PortCallOptions {
  /** W3C trace context of the message that caused the call. */
  traceparent?: string;
  timeoutMs: number;
  /** Told about every query page received, with its `query-charge` (the gateway counts them in CallStats). */
  onQueryPage?: (page: { rows: number; queryCharge: number | undefined }) => void;
}

/** Where one query page starts and how big it may be (`max-items-per-page`, ADT's maximum is 1000). */
export interface QueryPageRequest {
  continuationToken?: string;
  maxItemsPerPage?: number;
}

/** One page of POST /query. */
export interface QueryPage {
  rows: unknown[];
  /** Absent on the last page. */
  continuationToken?: string;
  /** The page's `query-charge` header (Query Units); undefined when the service sent none. */
  queryCharge?: number;
}

/**
 * What the gateway needs from ADT. The SDK implementation (sdkPort.ts) is the production one;
 * unit tests plug in fakes. Every method throws AdtRequestError on a service or transport failure.
 */
export interface AdtPort {
  getTwin(twinId: string, options: PortCallOptions): Promise<{ twin: Twin; etag: string | undefined }>;
  createTwin(
    twinId: string,
    twin: Record<string, unknown>,
    options: PortCallOptions & { ifNoneMatch?: '*' },
  ): Promise<{ twin: Twin; etag: string | undefined }>;
  updateTwin(
    twinId: string,
    patch: JsonPatchOperation[],
    options: PortCallOptions & { ifMatch?: string },
  ): Promise<{ etag: string | undefined }>;
  publishTelemetry(message: TelemetryMessage, options: PortCallOptions): Promise<void>;
  listRelationships(twinId: string, relationshipName: string | undefined, options: PortCallOptions): Promise<Relationship[]>;
  listIncomingRelationships(twinId: string, options: PortCallOptions): Promise<IncomingRelationship[]>;
  query(query: string, options: PortCallOptions): Promise<unknown[]>;
  /** One page of a query (callers that bound their work page on with the token); optional for fakes. */
  queryPage?(query: string, page: QueryPageRequest, options: PortCallOptions): Promise<QueryPage>;
  /** DTDL documents of the given models and everything they depend on. */
  getModelsWithDependencies(modelIds: string[], options: PortCallOptions): Promise<unknown[]>;
  /** Retiring a device's twin (lifecycle events); optional so ports that never retire twins need not have it. */
  deleteRelationship?(sourceId: string, relationshipId: string, options: PortCallOptions): Promise<void>;
  deleteTwin?(twinId: string, options: PortCallOptions): Promise<void>;
  /** A provisioned device's relationship from its parent (lifecycle events). */
  upsertRelationship?(relationship: Relationship, options: PortCallOptions): Promise<void>;
}
