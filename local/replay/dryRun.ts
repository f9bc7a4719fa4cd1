// --dry-run: decode and plan each batch with the current configuration, write nothing. The planner
// reads from ADT (each twin and its model, twin-id queries) but never writes; what only a write
// reveals (ADT refusing a value, a value older than the twin's: stale) is not predicted.

import { type CallContext, emptyCallStats } from '../../shared/adt';
import type { StoredDeadLetter } from '../../shared/deadLetter';
import { decodeEvent, type DeviceMessage } from '../../shared/ingest';
import type { IngestRuntime } from '../../shared/worker';
import type { ReplayOutcome } from './outcome';
import { rawEventOf } from './rawEvent';

export async function planBatch(batch: readonly StoredDeadLetter[], ingest: IngestRuntime): Promise<ReplayOutcome[]> {
  const outcomes: Array<ReplayOutcome | undefined> = batch.map(() => undefined);
  const indexOfKey = new Map<string, number>();
  const messages: DeviceMessage[] = [];
  batch.forEach((stored, index) => {
    const decoded = decodeEvent(rawEventOf(stored.document, index), ingest.decodeOptions);
    if (!decoded.ok) {
      outcomes[index] = { kind: 'would-dead-letter', reasons: [decoded.reason] };
      return;
    }
    indexOfKey.set(decoded.message.eventKey, index);
    messages.push(decoded.message);
  });
  const ctx: CallContext = { deadline: Date.now() + ingest.deadlineMs, stats: emptyCallStats() };
  const plan = await ingest.planner(messages, ctx);

  const rejected = new Map<number, string[]>();
  const filtered = new Map<number, string[]>();
  const writes = new Set<number>();
  const note = (into: Map<number, string[]>, key: string, reason: string): void => {
    const index = indexOfKey.get(key);
    if (index === undefined) return;
    const list = into.get(index) ?? [];
    if (!list.includes(reason)) list.push(reason);
    into.set(index, list);
  };
  for (const item of plan.rejected) note(rejected, item.eventKey, item.reason);
  for (const item of plan.filtered) note(filtered, item.eventKey, item.reason);
  for (const twin of plan.twinUpdates)
    for (const update of twin.updates) for (const key of update.eventKeys) writes.add(indexOfKey.get(key) ?? -1);
  for (const telemetry of plan.telemetry) writes.add(indexOfKey.get(telemetry.eventKey) ?? -1);

  // As a replay decides: any refused part keeps the document (even when other values would apply);
  // else anything written removes it as applied; else it is filtered.
  return outcomes.map((decided, index) => {
    if (decided) return decided;
    const refused = rejected.get(index);
    if (refused) return { kind: 'would-dead-letter', reasons: refused };
    if (writes.has(index)) return { kind: 'would-apply', reasons: [] };
    return { kind: 'would-filter', reasons: filtered.get(index) ?? ['nothing-mapped'] };
  });
}
