// The embedded emulator's store as the graph view's source: read directly (no request, so the run's
// ADT counters are not disturbed, and a poll costs a pass over the ids). A real instance is read
// through queries instead (runScenario passes that reader).
import type { GraphSource } from './liveGraph';

export interface StoreLike {
  twins: { values(): Iterable<Record<string, unknown>> };
  relationships: { values(): Iterable<Record<string, unknown>> };
}

export function storeSource(store: StoreLike): GraphSource {
  return { read: () => Promise.resolve({ twins: store.twins.values(), relationships: store.relationships.values() }) };
}
