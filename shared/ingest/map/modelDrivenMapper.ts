// The zero-config mapping (ingest.options.unmatched: model): body fields the twin's DTDL interface
// declares as Properties are patched and fields declared as Telemetry are published (which field is
// which: map/modelFields). It claims every message no rule claimed.

import type { CompiledIngest, TwinIdStrategy } from '../config';
import type { Lookups, PreparedMessage } from './lookups';
import type { Mapper, MappingResult } from './mappingResult';
import { modelFields } from './modelFields';
import { MODEL_RULE, ResultBuilder } from './resultBuilder';
import { addValue } from './valueUpdates';

export class ModelDrivenMapper implements Mapper {
  private readonly strategies: readonly TwinIdStrategy[];

  constructor(private readonly ingest: CompiledIngest) {
    this.strategies = [ingest.twinId];
  }

  /** Telemetry only: IoT Hub's notifications have mappers of their own (map/sources). */
  claims(prepared: PreparedMessage): readonly TwinIdStrategy[] | undefined {
    return prepared.message.source === undefined ? this.strategies : undefined;
  }

  map(prepared: PreparedMessage, lookups: Lookups): MappingResult {
    const result = new ResultBuilder(prepared, this.ingest, lookups);
    const twins = result.targets(this.ingest.twinId, 'ingest.twinId', undefined);
    const sourceTime = twins && result.sourceTime(this.ingest.options.sourceTime, 'ingest.options.sourceTime');
    if (twins && sourceTime !== undefined)
      for (const twin of twins) this.mapTwin(result, twin.twinId, result.interfaceOf(twin), sourceTime);
    return result.finish();
  }

  private mapTwin(
    result: ResultBuilder,
    twinId: string,
    { modelId, view }: ReturnType<ResultBuilder['interfaceOf']>,
    sourceTime: string,
  ): void {
    const models = result.lookups.sources.models;
    if (!models || !view) {
      result.filter({
        reason: 'model-unknown',
        detail: `no DTDL model known for twin ${twinId}${modelId ? ` (model ${modelId})` : ''}; add a rule to the pipeline configuration or upload the model`,
        twinId,
      });
      return;
    }
    const fields = modelFields(result.message.body, view, models, result.message.component);
    if (fields.unknownComponent !== undefined) {
      result.reject({
        reason: 'unknown-component',
        detail: `dt-subject "${fields.unknownComponent}" is not a component of ${view.id}`,
        twinId,
      });
      return;
    }
    for (const item of fields.properties) {
      addValue(result, {
        twinId,
        component: item.component,
        property: item.property,
        value: item.value,
        sourceTime,
        rule: MODEL_RULE,
        schema: item.definition.schema,
      });
    }
    for (const item of fields.telemetry) result.addTelemetry(twinId, item.component, item.payload, sourceTime, MODEL_RULE);
    if (fields.unmodeled.length > 0) {
      result.filter({ reason: 'unmodeled-field', detail: `not in model ${view.id}: ${fields.unmodeled.join(', ')}`, twinId });
    }
  }
}
