// Reported properties → twin properties, from device twin change events (updateTwin, replaceTwin)
// and Plug and Play digital twin change events (a JSON Patch per component). Zero configuration:
// every reported value the twin's model declares as a Property (at the root, or in the component it
// came from) is patched, its sourceTime the value's own `$lastUpdated` (IoT Hub's time of the
// report), so the writer's out-of-order guard, If-Match and dead letters apply as to telemetry.
// Desired properties and tags are not mapped (a rule with match.source maps them). A rule whose
// match.source names the kind maps the event instead (rules are asked first).

import type { CompiledIngest, TwinIdStrategy } from '../config';
import { normalizeTimestamp } from '../decode';
import { lookupProperty, type MessageKind } from '../message';
import { claimKinds, eventOperation } from './eventOperation';
import type { Lookups, PreparedMessage } from './lookups';
import type { Mapper, MappingResult } from './mappingResult';
import { componentInterface } from './modelFit';
import { digitalTwinChangeValues, type ReportedValues, twinChangeValues } from './reportedValues';
import { ResultBuilder } from './resultBuilder';
import { addValue } from './valueUpdates';

export const REPORTED_RULE = '(reported)';

const operations: Readonly<Record<string, 'update' | 'replace'>> = { updatetwin: 'update', replacetwin: 'replace' };

/** IoT Hub's "never" ($lastUpdated of an empty section): not a time to order by. */
const neverUpdated = /^0001-01-01/;

export class ReportedPropertiesMapper implements Mapper {
  readonly claims: (prepared: PreparedMessage) => readonly TwinIdStrategy[] | undefined;

  constructor(
    private readonly ingest: CompiledIngest,
    kinds: ReadonlySet<MessageKind>,
  ) {
    this.claims = claimKinds(ingest, kinds);
  }

  map(prepared: PreparedMessage, lookups: Lookups): MappingResult {
    const result = new ResultBuilder(prepared, this.ingest, lookups);
    const { message } = result;
    const source = message.source;
    const needs = `a ${source?.name ?? 'twin change'} event needs opType updateTwin or replaceTwin`;
    if (eventOperation(result, this.ingest, operations, needs) === undefined) return result.finish();
    const reported: ReportedValues =
      source?.kind === 'digitalTwinChangeEvents' ? digitalTwinChangeValues(message.body) : twinChangeValues(message.body);
    if (reported.values.length === 0) {
      const skipped = reported.skipped.length > 0 ? `; not mapped: ${reported.skipped.join(', ')}` : '';
      result.filter({
        reason: 'no-reported-change',
        detail: `the ${source?.name} event changes no reported property (desired properties and tags are mapped only by a rule)${skipped}`,
      });
      return result.finish();
    }
    const twins = result.targets(this.ingest.twinId, 'ingest.twinId');
    if (!twins) return result.finish();
    const eventTime = normalizeTimestamp(lookupProperty(message.properties, 'operationTimestamp')) ?? message.enqueuedTime;
    const models = lookups.sources.models;
    for (const twin of twins) {
      const { view, modelId } = result.interfaceOf(twin);
      if (!view || !models) {
        result.filter({
          reason: 'model-unknown',
          detail: `no DTDL model known for twin ${twin.twinId}${modelId ? ` (model ${modelId})` : ''}; reported properties are mapped by the model`,
          twinId: twin.twinId,
        });
        continue;
      }
      const unmodeled: string[] = [...reported.skipped];
      for (const item of reported.values) {
        const label = item.component === undefined ? item.property : `${item.component}/${item.property}`;
        const owner = item.component === undefined ? view : componentInterface(view, item.component, models);
        const definition = owner ? owner.properties.get(item.property) : undefined;
        if (!definition) {
          unmodeled.push(label);
          continue;
        }
        const time =
          typeof item.lastUpdated === 'string' && neverUpdated.test(item.lastUpdated) ? undefined : normalizeTimestamp(item.lastUpdated);
        addValue(result, {
          twinId: twin.twinId,
          component: item.component,
          property: item.property,
          value: item.value,
          sourceTime: time ?? eventTime,
          rule: REPORTED_RULE,
          schema: definition.schema,
        });
      }
      if (unmodeled.length > 0)
        result.filter({
          reason: 'unmodeled-field',
          detail: `reported but not in model ${view.id}: ${unmodeled.join(', ')}`,
          twinId: twin.twinId,
        });
    }
    return result.finish();
  }
}
