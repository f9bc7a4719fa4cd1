// One message → what to write, as Eclipse Ditto's payload mappers do it: `map(message) → result`.
// The rule mapper (configured rules) and the model-driven mapper (the zero-config default) are asked
// in turn; the first that claims a message maps it and returns its result, and a message neither
// claims is filtered as no-matching-rule. Every look-up a mapper needs was answered for the whole
// batch beforehand (map/lookups), so mapping is synchronous; it throws only when one of those
// look-ups failed (e.g. a twin read ADT refused), so the caller decides what that failure means.

import type { CompiledIngest } from '../config';
import type { DeviceMessage, MessageKind } from '../message';
import { ConnectionStateMapper } from './connectionStateMapper';
import { LifecycleMapper } from './lifecycleMapper';
import { Lookups, type PreparedMessage, prepareMessages } from './lookups';
import type { LookupSources } from './lookupSources';
import type { Filtered, Mapper, MappingResult } from './mappingResult';
import { ModelDrivenMapper } from './modelDrivenMapper';
import { ReportedPropertiesMapper } from './reportedPropertiesMapper';
import { RuleMapper } from './ruleMapper';

/** The mappers a compiled ingest section asks for, in the order they are tried. */
export function mappersFor(ingest: CompiledIngest): Mapper[] {
  // Rules first (a rule may name an event kind), then each kind's own step, then the telemetry default.
  const mappers: Mapper[] = [new RuleMapper(ingest)];
  if (ingest.connectionState.action === 'map') mappers.push(new ConnectionStateMapper(ingest));
  const reported = new Set<MessageKind>();
  if (ingest.reportedProperties.twinChangeEvents === 'map') reported.add('twinChangeEvents');
  if (ingest.reportedProperties.digitalTwinChangeEvents === 'map') reported.add('digitalTwinChangeEvents');
  if (reported.size > 0) mappers.push(new ReportedPropertiesMapper(ingest, reported));
  if (ingest.lifecycle.action === 'map') mappers.push(new LifecycleMapper(ingest));
  if (ingest.options.unmatched === 'model') mappers.push(new ModelDrivenMapper(ingest));
  return mappers;
}

/** Maps one prepared message with the mapper that claimed it while its look-ups were gathered. */
export function mapPrepared(mappers: readonly Mapper[], prepared: PreparedMessage, lookups: Lookups): MappingResult {
  const mapper = mappers[prepared.claimedBy];
  const result: MappingResult = mapper
    ? mapper.map(prepared, lookups)
    : {
        eventKey: prepared.message.eventKey,
        propertyUpdates: [],
        telemetry: [],
        filtered: [unclaimed(prepared.message)],
        rejected: [],
        clampedSourceTimes: 0,
      };
  if (!mapper && prepared.message.prototypeKeys !== undefined) {
    result.filtered.unshift({
      reason: 'prototype-key',
      detail: `removed keys that could reach an object's prototype: ${prepared.message.prototypeKeys.join(', ')}`,
    });
  }
  // A `when` that failed is reported whoever mapped the message.
  const failures = prepared.selection.failures;
  if (failures.length > 0) {
    result.rejected = [
      ...failures.map((f) => ({ reason: 'rule-condition-failed' as const, detail: `rule "${f.rule}": ${f.detail}`, where: f.where })),
      ...result.rejected,
    ];
  }
  return result;
}

/** Why nobody mapped a message: telemetry no rule matches, or a kind of event nothing is set to handle. */
function unclaimed(message: DeviceMessage): Filtered {
  const source = message.source;
  if (source === undefined) return { reason: 'no-matching-rule', detail: `no rule matches device ${message.deviceId}` };
  const op = source.opType === undefined ? '' : ` (${source.opType})`;
  return {
    reason: 'source-not-handled',
    detail: `${source.name}${op} from device ${message.deviceId}: the configuration does not handle this kind of event (see CONFIGURATION.md, "Message kinds")`,
  };
}

/**
 * Prepares a batch and gathers its look-ups: afterwards each message maps synchronously with
 * mapPrepared. `isFatal` look-up failures reject (the batch is redelivered); others fail only the
 * messages that need them.
 */
export async function prepareBatch(
  messages: readonly DeviceMessage[],
  ingest: CompiledIngest,
  mappers: readonly Mapper[],
  sources: LookupSources,
  isFatal: (error: unknown) => boolean = () => true,
): Promise<{ prepared: PreparedMessage[]; lookups: Lookups }> {
  const prepared = await prepareMessages(messages, ingest);
  const lookups = new Lookups(sources);
  await lookups.gather(
    prepared,
    mappers,
    isFatal,
    ingest.lifecycle.models.map((m) => m.modelId),
  );
  return { prepared, lookups };
}

/** Maps one message with the mappers its configuration asks for (tests, the mapping preview). */
export async function mapMessage(
  message: DeviceMessage,
  ingest: CompiledIngest | { ingest: CompiledIngest },
  sources: LookupSources = {},
): Promise<MappingResult> {
  const section = 'ingest' in ingest ? ingest.ingest : ingest;
  const mappers = mappersFor(section);
  const { prepared, lookups } = await prepareBatch([message], section, mappers, sources);
  return mapPrepared(mappers, prepared[0] as PreparedMessage, lookups);
}
