// ADT change notifications after parsing: one shape whatever schema Event Grid delivered them in.
import type { JsonPatchOperation, Twin } from '../adt';

export type EventSchema = 'cloudEvents' | 'eventGrid';

export interface Envelope {
  schema: EventSchema;
  id: string;
  /** As sent, e.g. Microsoft.DigitalTwins.Twin.Update. */
  type: string;
  subject: string | undefined;
  time: string | undefined;
  /** W3C trace context of the change that caused the notification. */
  traceparent: string | undefined;
}

export interface RelationshipRef {
  relationshipId: string;
  relationshipName: string;
  sourceId: string;
  targetId: string;
}

export type ChangeNotification =
  | { kind: 'twinUpdate'; twinId: string; modelId: string; patch: JsonPatchOperation[] }
  | { kind: 'twinCreate' | 'twinDelete'; twinId: string; twin: Twin }
  | { kind: 'relationshipCreate' | 'relationshipDelete'; relationship: RelationshipRef }
  /** `modelId` is the source twin's model when the event names it (ADT does). */
  | { kind: 'relationshipUpdate'; sourceId: string; relationshipId: string; modelId: string | undefined; patch: JsonPatchOperation[] }
  /** Telemetry and types this pipeline has no use for: acknowledged, not retried. */
  | { kind: 'ignored'; reason: string };

export type ParsedNotification = Envelope & { change: ChangeNotification };

/** Why an event could not be used; retrying it would fail the same way, so it is not retried. */
export interface MalformedEvent {
  schema: EventSchema | undefined;
  id: string | undefined;
  type: string | undefined;
  reason: string;
}

export type ParseResult = { ok: true; notification: ParsedNotification } | { ok: false; malformed: MalformedEvent };
