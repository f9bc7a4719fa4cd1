// The zero-config mapping (ingest.options.unmatched: model): body fields the twin's DTDL interface
// declares as Properties are patched and fields declared as Telemetry are published.

import { type Awaitable, forEachInOrder, then } from '../common';
import type { CompiledIngest } from './ingestConfig';
import type { Mapper } from './mapper';
import { type MessageMapping, MODEL_RULE, type TwinInterface } from './messageMapping';
import { addModelled } from './modelledValue';
import { modelDrivenMapping } from './modelMapping';

export class ModelMapper implements Mapper {
  constructor(private readonly ingest: CompiledIngest) {}

  map(mapping: MessageMapping): Awaitable<boolean> {
    return then(mapping.targets(this.ingest.twinId, 'ingest.twinId', undefined), (twins) => {
      if (!twins) return true;
      const sourceTime = mapping.sourceTime(this.ingest.options.sourceTime, 'ingest.options.sourceTime');
      if (sourceTime === undefined) return true;
      return then(
        forEachInOrder(twins, (twin) => then(mapping.interfaceOf(twin), (known) => this.mapTwin(mapping, twin.twinId, known, sourceTime))),
        () => true,
      );
    });
  }

  private mapTwin(mapping: MessageMapping, twinId: string, { modelId, view }: TwinInterface, sourceTime: string): void {
    const models = mapping.context.models;
    if (!models || !view) {
      mapping.filter({
        reason: 'model-unknown',
        detail: `no DTDL model known for twin ${twinId}${modelId ? ` (model ${modelId})` : ''}; add a rule to the pipeline configuration or upload the model`,
        twinId,
      });
      return;
    }
    const mapped = modelDrivenMapping(mapping.message.body, view, models, mapping.message.component);
    if (mapped.unknownComponent !== undefined) {
      mapping.reject({ reason: 'unknown-component', detail: `dt-subject "${mapped.unknownComponent}" is not a component of ${view.id}`, twinId });
      return;
    }
    for (const item of mapped.properties) {
      addModelled(mapping, { twinId, component: item.component, property: item.property, value: item.value, sourceTime, rule: MODEL_RULE, schema: item.definition.schema });
    }
    for (const item of mapped.telemetry) mapping.addTelemetry(twinId, item.component, item.payload, sourceTime, MODEL_RULE);
    if (mapped.unmodeled.length > 0) {
      mapping.filter({ reason: 'unmodeled-field', detail: `not in model ${view.id}: ${mapped.unmodeled.join(', ')}`, twinId });
    }
  }
}
