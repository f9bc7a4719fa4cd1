// Where the graph view reads the twins from. The embedded emulator's store is read directly (no
// request, so the run's ADT counters are not disturbed, and a poll costs a pass over the ids). A real
// instance (or an emulator in another process) is read through queries instead.
import type { ExplorerClient } from './adtProxy';
import type { WireDocument } from './graphView';
import type { GraphSource } from './liveGraph';

export interface StoreLike {
  twins: { values(): Iterable<Record<string, unknown>> };
  relationships: { values(): Iterable<Record<string, unknown>> };
}

export function storeSource(store: StoreLike): GraphSource {
  return { read: () => Promise.resolve({ twins: store.twins.values(), relationships: store.relationships.values() }) };
}

async function queryAll(client: Pick<ExplorerClient, 'queryTwins'>, query: string): Promise<WireDocument[]> {
  const rows: WireDocument[] = [];
  for await (const row of client.queryTwins(query)) rows.push(row as WireDocument);
  return rows;
}

/** Every twin and relationship through two queries per poll (poll a real instance every few seconds). */
export function querySource(client: Pick<ExplorerClient, 'queryTwins'>): GraphSource {
  return {
    read: async () => {
      const [twins, relationships] = await Promise.all([
        queryAll(client, 'SELECT * FROM digitaltwins'),
        queryAll(client, 'SELECT * FROM relationships'),
      ]);
      return { twins, relationships };
    },
  };
}
