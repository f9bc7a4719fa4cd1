// Reads the final twins and relationships through the data plane (emulator or real ADT alike) and
// normalises them for --dump: sorted, and without the fields that change from run to run.
import type { DigitalTwinsClient } from '@azure/digital-twins-core';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface GraphDump {
  twins: JsonObject[];
  relationships: JsonObject[];
}

async function queryAll(client: DigitalTwinsClient, query: string): Promise<JsonObject[]> {
  const rows: JsonObject[] = [];
  for await (const row of client.queryTwins(query)) rows.push(row as JsonObject);
  return rows;
}

export async function readGraph(client: DigitalTwinsClient): Promise<GraphDump> {
  const [twins, relationships] = await Promise.all([
    queryAll(client, 'SELECT * FROM digitaltwins'),
    queryAll(client, 'SELECT * FROM relationships'),
  ]);
  return { twins, relationships };
}

/**
 * Volatile, so removed: `$etag` (a new UUID per write), `$metadata.$lastUpdateTime`, every
 * `lastUpdateTime` (wall-clock time of the write) and every `sourceTime`. A derived value's sourceTime
 * is the newest input time when its value last changed; a later input that leaves the value within
 * tolerance is not written (that is what ends chains), so which input that was depends on how
 * notifications interleaved. Kept: `$dtId`, `$model`, every property value, and relationships with
 * their properties.
 */
const volatileKeys = new Set(['$etag', '$lastUpdateTime', 'lastUpdateTime', 'sourceTime']);

function stripVolatile(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(stripVolatile);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) {
    if (volatileKeys.has(key)) continue;
    out[key] = stripVolatile(value[key] as JsonValue);
  }
  return out;
}

const byString = (key: (o: JsonObject) => string) => (a: JsonObject, b: JsonObject) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function normaliseGraph(graph: GraphDump): GraphDump {
  return {
    twins: graph.twins.map((t) => stripVolatile(t) as JsonObject).sort(byString((t) => String(t.$dtId))),
    relationships: graph.relationships
      .map((r) => stripVolatile(r) as JsonObject)
      .sort(byString((r) => `${String(r.$sourceId)}\u0000${String(r.$relationshipId)}`)),
  };
}
