// Relationships keyed by source twin, plus an index of incoming relationships per target twin.
import type { RelationshipDoc } from '../types';

const key = (sourceId: string, relationshipId: string): string => `${sourceId}\u0000${relationshipId}`;

export class RelationshipStore {
  private readonly outgoing = new Map<string, Map<string, RelationshipDoc>>();
  private readonly incoming = new Map<string, Set<string>>();
  private readonly byKey = new Map<string, RelationshipDoc>();

  get(sourceId: string, relationshipId: string): RelationshipDoc | undefined {
    const rel = this.outgoing.get(sourceId)?.get(relationshipId);
    return rel === undefined ? undefined : structuredClone(rel);
  }

  set(relationship: RelationshipDoc): void {
    const copy = structuredClone(relationship);
    const previous = this.outgoing.get(copy.$sourceId)?.get(copy.$relationshipId);
    if (previous) this.incoming.get(previous.$targetId)?.delete(key(previous.$sourceId, previous.$relationshipId));
    const bySource = this.outgoing.get(copy.$sourceId) ?? new Map<string, RelationshipDoc>();
    bySource.set(copy.$relationshipId, copy);
    this.outgoing.set(copy.$sourceId, bySource);
    const targets = this.incoming.get(copy.$targetId) ?? new Set<string>();
    targets.add(key(copy.$sourceId, copy.$relationshipId));
    this.incoming.set(copy.$targetId, targets);
    this.byKey.set(key(copy.$sourceId, copy.$relationshipId), copy);
  }

  delete(sourceId: string, relationshipId: string): boolean {
    const rel = this.outgoing.get(sourceId)?.get(relationshipId);
    if (!rel) return false;
    this.outgoing.get(sourceId)?.delete(relationshipId);
    if (this.outgoing.get(sourceId)?.size === 0) this.outgoing.delete(sourceId);
    const targets = this.incoming.get(rel.$targetId);
    targets?.delete(key(sourceId, relationshipId));
    if (targets?.size === 0) this.incoming.delete(rel.$targetId);
    this.byKey.delete(key(sourceId, relationshipId));
    return true;
  }

  /** Outgoing relationships of a twin, optionally only those with `relationshipName`. */
  listOutgoing(sourceId: string, relationshipName?: string): RelationshipDoc[] {
    const all = [...(this.outgoing.get(sourceId)?.values() ?? [])];
    return all.filter((r) => relationshipName === undefined || r.$relationshipName === relationshipName).map((r) => structuredClone(r));
  }

  listIncoming(targetId: string): RelationshipDoc[] {
    const keys = [...(this.incoming.get(targetId) ?? [])];
    return keys.flatMap((k) => {
      const rel = this.byKey.get(k);
      return rel ? [structuredClone(rel)] : [];
    });
  }

  /** Outgoing plus incoming: a twin can only be deleted when this is 0. */
  countFor(twinId: string): number {
    return (this.outgoing.get(twinId)?.size ?? 0) + (this.incoming.get(twinId)?.size ?? 0);
  }

  list(): RelationshipDoc[] {
    return [...this.byKey.values()].map((r) => structuredClone(r));
  }

  /** Read-only live view for the query engine (no copies; do not mutate). */
  values(): IterableIterator<RelationshipDoc> {
    return this.byKey.values();
  }

  get size(): number {
    return this.byKey.size;
  }

  clear(): void {
    this.outgoing.clear();
    this.incoming.clear();
    this.byKey.clear();
  }
}
