// The persisted form of an instance (persistence and GET /$admin/state).
import type { EventRouter, EventRouterState } from './events';
import type { ModelRegistry, ModelRegistryExport } from './models/modelRegistry';
import type { RelationshipStore } from './store/relationshipStore';
import type { TwinStore } from './store/twinStore';
import type { RelationshipDoc, TwinDoc } from './types';

export interface EmulatorSnapshot {
  version: 1;
  models: ModelRegistryExport;
  twins: TwinDoc[];
  relationships: RelationshipDoc[];
  events: EventRouterState;
}

export function snapshotOf(
  twins: TwinStore,
  relationships: RelationshipStore,
  models: ModelRegistry,
  events: EventRouter,
): EmulatorSnapshot {
  return { version: 1, models: models.export(), twins: twins.list(), relationships: relationships.list(), events: events.export() };
}

/** Trusts the snapshot (it was written by this emulator): no re-validation, no notifications. */
export function restoreSnapshot(
  snapshot: EmulatorSnapshot,
  twins: TwinStore,
  relationships: RelationshipStore,
  models: ModelRegistry,
  events: EventRouter,
): void {
  if (snapshot.version !== 1)
    throw new Error(`Unsupported emulator snapshot version ${String(snapshot.version)}; delete the file to start empty.`);
  models.import(snapshot.models);
  twins.clear();
  relationships.clear();
  for (const twin of snapshot.twins) twins.set(twin);
  for (const relationship of snapshot.relationships) relationships.set(relationship);
  events.import(snapshot.events);
}
