// A graph as an ADT import-job file (ndjson, iot-hub-events-and-bulk.md §7.3): Header, then Models,
// Twins and Relationships sections, each only when it has lines, in that fixed order.
import type { ImportedRelationship, ImportedTwin } from '../scenario';

export interface ImportGraph {
  /** DTDL interfaces to create; only the ones the instance lacks (the job refuses existing ids). */
  models: Record<string, unknown>[];
  twins: ImportedTwin[];
  relationships: ImportedRelationship[];
}

/** The file line by line (each ending in a newline), so a 2,000,000-twin file never sits in one string. */
export function* importNdjsonLines(graph: ImportGraph): Generator<string> {
  yield `${JSON.stringify({ Section: 'Header' })}\n`;
  yield `${JSON.stringify({ fileVersion: '1.0.0', author: 'adt-twin-pipeline', organization: 'adt-twin-pipeline' })}\n`;
  const sections: Array<[string, readonly unknown[]]> = [
    ['Models', graph.models],
    ['Twins', graph.twins],
    ['Relationships', graph.relationships],
  ];
  for (const [name, items] of sections) {
    if (items.length === 0) continue;
    yield `${JSON.stringify({ Section: name })}\n`;
    for (const item of items) yield `${JSON.stringify(item)}\n`;
  }
}

/** Lines joined into chunks of about `chunkBytes` (fewer, larger writes for an upload stream). */
export function* importNdjsonChunks(graph: ImportGraph, chunkBytes = 256 * 1024): Generator<Buffer> {
  let pending: string[] = [];
  let size = 0;
  for (const line of importNdjsonLines(graph)) {
    pending.push(line);
    size += line.length;
    if (size >= chunkBytes) {
      yield Buffer.from(pending.join(''), 'utf8');
      pending = [];
      size = 0;
    }
  }
  if (pending.length > 0) yield Buffer.from(pending.join(''), 'utf8');
}

export function toImportNdjson(graph: ImportGraph): string {
  return [...importNdjsonLines(graph)].join('');
}
