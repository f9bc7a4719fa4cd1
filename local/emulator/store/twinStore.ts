// Twins by id, stored exactly as GET returns them. Callers hand in finished documents; the store copies
// on the way in and out so nobody can mutate state behind its back.
import type { TwinDoc } from '../types';

export class TwinStore {
  private readonly twins = new Map<string, TwinDoc>();

  get(id: string): TwinDoc | undefined {
    const twin = this.twins.get(id);
    return twin === undefined ? undefined : structuredClone(twin);
  }

  has(id: string): boolean {
    return this.twins.has(id);
  }

  set(twin: TwinDoc): void {
    this.twins.set(twin.$dtId, structuredClone(twin));
  }

  delete(id: string): boolean {
    return this.twins.delete(id);
  }

  /** Snapshot in insertion order. */
  list(): TwinDoc[] {
    return [...this.twins.values()].map((t) => structuredClone(t));
  }

  /** Read-only live view for the query engine (no copies; do not mutate). */
  values(): IterableIterator<TwinDoc> {
    return this.twins.values();
  }

  get size(): number {
    return this.twins.size;
  }

  clear(): void {
    this.twins.clear();
  }
}
