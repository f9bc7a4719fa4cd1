// Builds the batch plan processBatch executes: maps every message, coalesces property updates per twin
// (newest value per property; every contributing event key kept for the ledger) and lists filtered
// and rejected parts per event. Stale checks against stored sourceTimes happen in the gateway.

import type { CompiledPipelineConfig } from '../config/types';
import type { PropertyUpdate as TwinPropertyUpdate, TwinUpdate } from '../adt/twinUpdate';
import { coalesce, propertyPointer } from './coalesce';
import type { DeviceMessage } from './deviceMessage';
import type { IngestPlan } from './ingestPlan';
import { mapMessage, type MappingContext } from './mapMessage';
import type { PropertyUpdate } from './mappingResult';

export async function planIngest(messages: readonly DeviceMessage[], config: CompiledPipelineConfig, context: MappingContext = {}): Promise<IngestPlan> {
  const plan: IngestPlan = { twinUpdates: [], telemetry: [], filtered: [], rejected: [], coalescedValues: 0 };
  const updates: PropertyUpdate[] = [];
  const traceparents = new Map<string, string>();
  for (const message of messages) {
    const result = await mapMessage(message, config, context);
    updates.push(...result.propertyUpdates);
    for (const item of result.telemetry) {
      plan.telemetry.push({
        twinId: item.twinId,
        payload: item.payload,
        // Per item (`:1`, `:2` for fan-out) so ADT's Message-Id de-duplication keeps every one.
        messageId: item.messageId,
        sourceTime: item.sourceTime,
        eventKey: item.eventKey,
        ...(item.component !== undefined && { component: item.component }),
        ...(message.traceparent !== undefined && { traceparent: message.traceparent }),
      });
    }
    for (const part of result.filtered) plan.filtered.push({ eventKey: message.eventKey, reason: part.reason });
    for (const part of result.rejected) plan.rejected.push({ eventKey: message.eventKey, reason: part.reason, detail: part.where ? `${part.where}: ${part.detail}` : part.detail });
    if (result.propertyUpdates.length === 0 && result.telemetry.length === 0 && result.filtered.length === 0 && result.rejected.length === 0) {
      plan.filtered.push({ eventKey: message.eventKey, reason: 'nothing-mapped' });
    }
    if (message.traceparent !== undefined) traceparents.set(message.eventKey, message.traceparent);
  }

  const coalesced = coalesce(updates, { emitSourceTime: config.ingest.options.emitSourceTime });
  plan.coalescedValues = coalesced.counts.coalesced;
  const policy = config.ingest.unknownTwin;
  const ifMissing: TwinUpdate['ifMissing'] =
    policy.action === 'create' && policy.modelId !== undefined
      ? { policy: 'create', modelId: policy.modelId, properties: policy.properties }
      : { policy: 'deadLetter' };
  for (const patch of coalesced.patches) {
    const supersededBy = new Map<string, string[]>();
    for (const loser of patch.coalesced) {
      const key = propertyPointer(loser.component, loser.property);
      supersededBy.set(key, [...(supersededBy.get(key) ?? []), loser.eventKey]);
    }
    const twinUpdates: TwinPropertyUpdate[] = patch.applied.map((winner) => ({
      path: [winner.property],
      value: winner.value,
      sourceTime: winner.sourceTime,
      messageIds: unique([winner.eventKey, ...(supersededBy.get(propertyPointer(winner.component, winner.property)) ?? [])]),
      ...(winner.component !== undefined && { component: winner.component }),
    }));
    const traceparent = patch.applied.map((u) => traceparents.get(u.eventKey)).find((t) => t !== undefined);
    plan.twinUpdates.push({ twinId: patch.twinId, updates: twinUpdates, ifMissing, ...(traceparent !== undefined && { traceparent }) });
  }
  return plan;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
