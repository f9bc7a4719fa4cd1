// What the request handlers share: the stores and the ports to the other sub-systems.
import type { Counters } from './counters';
import type { EmitInput } from './events/stamp';
import type { PayloadLimits } from './payloadLimits';
import type { RelationshipStore } from './store/relationshipStore';
import type { TwinStore } from './store/twinStore';
import type { TelemetryDeduplicator } from './telemetryDedup';

/** The part of the model registry (./models/modelRegistry.ts) twin and relationship handling needs. */
export interface TwinValidator {
  validateTwin(twin: Record<string, unknown>): string[];
  validateRelationship(
    sourceModelId: string,
    relationshipName: string,
    targetModelId: string,
    properties: Record<string, unknown>,
  ): string[];
  has(modelId: string): boolean;
  isDecommissioned(modelId: string): boolean;
}

export interface StoreLimits {
  maxTwins: number;
  maxRelationshipsPerTwin: number;
  /** Page size for relationship lists when the caller sends no max-items-per-page. */
  relationshipPageSize: number;
}

export const defaultStoreLimits: StoreLimits = { maxTwins: 2_000_000, maxRelationshipsPerTwin: 50_000, relationshipPageSize: 100 };

export interface EmulatorServices {
  twins: TwinStore;
  relationships: RelationshipStore;
  models: TwinValidator;
  counters: Counters;
  telemetry: TelemetryDeduplicator;
  payload: PayloadLimits;
  store: StoreLimits;
  /** Hands a change notification to the event router (stamping and delivery happen there). */
  notify(input: EmitInput): void;
  /** Called after every committed change (persistence debounce). */
  changed(): void;
}
