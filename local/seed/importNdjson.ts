// A graph as an ADT import-job file (ndjson, iot-hub-events-and-bulk.md §7.3): Header, then Models,
// Twins and Relationships sections, each only when it has lines, in that fixed order.
import type { ImportedRelationship, ImportedTwin } from '../scenario';

export interface ImportGraph {
  /** DTDL interfaces to create; only the ones the instance lacks (the job refuses existing ids). */
  models: Record<string, unknown>[];
  twins: ImportedTwin[];
  relationships: ImportedRelationship[];
}

export function toImportNdjson(graph: ImportGraph): string {
  const lines: string[] = [JSON.stringify({ Section: 'Header' }), JSON.stringify({ fileVersion: '1.0.0', author: 'adt-twin-pipeline', organization: 'adt-twin-pipeline' })];
  const section = (name: string, items: readonly unknown[]): void => {
    if (items.length === 0) return;
    lines.push(JSON.stringify({ Section: name }));
    for (const item of items) lines.push(JSON.stringify(item));
  };
  section('Models', graph.models);
  section('Twins', graph.twins);
  section('Relationships', graph.relationships);
  return `${lines.join('\n')}\n`;
}
