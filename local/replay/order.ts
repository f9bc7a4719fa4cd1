// The order dead letters are replayed in: partition by partition, in sequence order, as the hub
// delivered them — so coalescing and the source-time guard see the same order as the first attempt.

import type { StoredDeadLetter } from '../../shared/deadLetter';

const sequenceName = /^(.*)\/(\d+)\.json$/;

interface NameKey {
  partition: string;
  sequence: number;
  name: string;
}

function keyOf(name: string): NameKey {
  const match = sequenceName.exec(name);
  // Names without a sequence number (written by a fallback) go after their partition's numbered ones.
  if (!match)
    return { partition: name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '', sequence: Number.POSITIVE_INFINITY, name };
  return { partition: match[1] as string, sequence: Number(match[2]), name };
}

/**
 * Store names (`<partition>/<sequence>.json`) in replay order, cut into chunks of at most `size` that
 * never span two partitions. Ordering needs only the names, so documents are read chunk by chunk.
 */
export function replayChunks(names: readonly string[], size: number): string[][] {
  const keys = names
    .map(keyOf)
    .sort((a, b) =>
      a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : a.sequence - b.sequence || (a.name < b.name ? -1 : 1),
    );
  const chunks: string[][] = [];
  let current: string[] = [];
  let partition: string | undefined;
  for (const key of keys) {
    if (current.length >= size || (partition !== undefined && key.partition !== partition)) {
      chunks.push(current);
      current = [];
    }
    current.push(key.name);
    partition = key.partition;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * The batches one chunk is replayed as. A batch is one partition (the pipeline names dead letters and
 * telemetry ids by partition) with unique sequence numbers (the ledger's event keys). A document
 * without a sequence number is replayed alone, so its new dead letter cannot be confused with another's.
 */
export function replayBatches(documents: readonly StoredDeadLetter[]): StoredDeadLetter[][] {
  const batches: StoredDeadLetter[][] = [];
  let current: StoredDeadLetter[] = [];
  let seen = new Set<number>();
  const flush = (): void => {
    if (current.length > 0) batches.push(current);
    current = [];
    seen = new Set();
  };
  for (const stored of documents) {
    const { partitionId, sequenceNumber } = stored.document;
    if (sequenceNumber === undefined) {
      flush();
      batches.push([stored]);
      continue;
    }
    const first = current[0];
    if (first && (first.document.partitionId !== partitionId || seen.has(sequenceNumber))) flush();
    current.push(stored);
    seen.add(sequenceNumber);
  }
  flush();
  return batches;
}

/** `--reason`: the document's reason code is one of these (no filter = every document). */
export function matchesReasons(stored: StoredDeadLetter, reasons: readonly string[]): boolean {
  return reasons.length === 0 || reasons.includes(stored.document.reason);
}
