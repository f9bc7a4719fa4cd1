// What the query engine needs from the twin store and model registry (kept narrow so tests can fake it).
import type { RelationshipDoc, TwinDoc } from '../types';

export interface QuerySource {
  /** All twins in a stable order (the store's insertion order); paging relies on it. */
  twins(): Iterable<TwinDoc>;
  twin(id: string): TwinDoc | undefined;
  /** Outgoing relationships of one twin, in a stable order. */
  outgoing(twinId: string): Iterable<RelationshipDoc>;
  /** Relationships that target one twin, in a stable order (MATCH's `<-[]-` and `-[]-`). */
  incoming(twinId: string): Iterable<RelationshipDoc>;
  /** Every relationship, in a stable order (FROM RELATIONSHIPS). */
  relationships(): Iterable<RelationshipDoc>;
  /** True when `actualModelId` is `targetModelId` or (unless `exact`) extends it, directly or not. */
  isOfModel(actualModelId: string, targetModelId: string, exact: boolean): boolean;
}
