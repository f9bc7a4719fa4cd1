// child → parents learned while recomputing. Needed because ADT deletes a twin's relationships
// before the twin, so on Twin.Delete the former parents can no longer be listed through the API.
import { LruCache } from '../../common';

export class ParentIndex {
  private readonly parents: LruCache<string, Set<string>>;

  constructor(capacity = 100_000) {
    this.parents = new LruCache({ capacity });
  }

  remember(childId: string, parentId: string): void {
    const known = this.parents.get(childId) ?? new Set<string>();
    known.add(parentId);
    this.parents.set(childId, known);
  }

  forget(childId: string, parentId: string): void {
    this.parents.get(childId)?.delete(parentId);
  }

  parentsOf(childId: string): string[] {
    return [...(this.parents.get(childId) ?? [])];
  }
}
