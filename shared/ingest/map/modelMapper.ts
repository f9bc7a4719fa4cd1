// The zero-config mapping (ingest.options.unmatched: model): body fields the twin's DTDL interface
// declares as Properties are patched and fields declared as Telemetry are published.

import { type Awaitable, isPromise } from '../../common';
import type { CompiledIngest } from '../config';
import type { Mapper } from './mapper';
import { type MessageMapping, MODEL_RULE, type TwinInterface } from './messageMapping';
import { addModelled } from './modelledValue';
import { modelDrivenMapping } from './modelMapping';
import type { ResolvedTwin } from './twinTargets';

export class ModelMapper implements Mapper {
  constructor(private readonly ingest: CompiledIngest) {}

  map(mapping: MessageMapping): Awaitable<boolean> {
    const twins = mapping.targets(this.ingest.twinId, 'ingest.twinId', undefined);
    const mapped = isPromise(twins) ? twins.then((ready) => this.mapTwins(mapping, ready)) : this.mapTwins(mapping, twins);
    return mapped === undefined ? true : mapped.then(() => true);
  }

  private mapTwins(mapping: MessageMapping, twins: ResolvedTwin[] | undefined): Promise<void> | undefined {
    if (!twins) return undefined;
    const sourceTime = mapping.sourceTime(this.ingest.options.sourceTime, 'ingest.options.sourceTime');
    if (sourceTime === undefined) return undefined;
    return this.mapTwinsFrom(mapping, twins, sourceTime, 0);
  }

  /** Maps twins[from…] in order; waits (a promise) only where a twin's model is not yet known. */
  private mapTwinsFrom(mapping: MessageMapping, twins: ResolvedTwin[], sourceTime: string, from: number): Promise<void> | undefined {
    for (let index = from; index < twins.length; index++) {
      const twin = twins[index] as ResolvedTwin;
      const known = mapping.interfaceOf(twin);
      if (isPromise(known)) {
        return known.then((ready) => {
          this.mapTwin(mapping, twin.twinId, ready, sourceTime);
          return this.mapTwinsFrom(mapping, twins, sourceTime, index + 1);
        });
      }
      this.mapTwin(mapping, twin.twinId, known, sourceTime);
    }
    return undefined;
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
