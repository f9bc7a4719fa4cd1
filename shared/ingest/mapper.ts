// One message → what to write. Two mappers sit behind one small interface (configured once from the
// compiled ingest section, then `map` per message): the rule mapper for configured rules and the
// model mapper for the zero-config default. The first mapper that claims a message maps it; a message
// neither claims is filtered as no-matching-rule. A value that fails (transform, range, model check)
// is refused alone; the rest of the message still applies. `map` throws only when an injected
// look-up throws (e.g. a throttled twin-id query), so the caller can retry instead of dead-lettering.

import type { Schema } from '../dtdl';
import type { DeviceMessage } from './deviceMessage';
import type { CompiledIngest } from './ingestConfig';
import type { MappingResult } from './mappingResult';
import { MessageMapping } from './messageMapping';
import { ModelMapper } from './modelMapper';
import type { InterfaceLookup } from './modelMapping';
import { RuleMapper } from './ruleMapper';
import type { TwinIdRequest, TwinResolution } from './twinTargets';

/** What mapping may look up; everything is optional so pure tests can map without ADT. */
export interface MappingContext {
  /** Answers query-based twin id requests; pass `resolver.resolve` of a TwinIdResolver. */
  resolveTwins?: (request: TwinIdRequest) => Promise<TwinResolution>;
  /** DTDL interfaces by id, e.g. `(id) => modelIndex.interface(id)`; enables model checks and the default mapping. */
  models?: InterfaceLookup;
  /** Makes `models` know a model and its dependencies (e.g. fetched from ADT) before it is looked up. */
  loadModel?: (modelId: string) => Promise<void>;
  /**
   * The model of a twin (the gateway's twin cache, else one read). `null` = the twin does not exist:
   * its values are rejected as unknown-twin. `undefined` = not known: dt-dataschema is used instead.
   */
  twinModel?: (twinId: string) => Promise<string | null | undefined> | string | null | undefined;
  /** shared/dtdl validateValue: one message per violation, each prefixed with `path`; empty when the value fits. */
  validateValue?: (schema: Schema, value: unknown, path: string) => string[];
}

export interface Mapper {
  /** Maps `mapping.message` into `mapping`; false when this mapper does not claim the message. */
  map(mapping: MessageMapping): Promise<boolean>;
}

/** The mappers a compiled ingest section asks for, in the order they are tried. */
export function mappersFor(ingest: CompiledIngest): Mapper[] {
  const mappers: Mapper[] = [new RuleMapper(ingest)];
  if (ingest.options.unmatched === 'model') mappers.push(new ModelMapper(ingest));
  return mappers;
}

export async function mapWith(mappers: readonly Mapper[], message: DeviceMessage, ingest: CompiledIngest, context: MappingContext = {}): Promise<MappingResult> {
  const mapping = new MessageMapping(message, ingest, context);
  let claimed = false;
  for (const mapper of mappers) {
    if (await mapper.map(mapping)) {
      claimed = true;
      break;
    }
  }
  if (!claimed) mapping.filter({ reason: 'no-matching-rule', detail: `no rule matches device ${message.deviceId}` });
  return mapping.finish(ingest.options.maxTwinsPerMessage);
}

/** Maps one message with the mappers its configuration asks for (tests, the mapping preview). */
export function mapMessage(message: DeviceMessage, ingest: CompiledIngest | { ingest: CompiledIngest }, context: MappingContext = {}): Promise<MappingResult> {
  const section = 'ingest' in ingest ? ingest.ingest : ingest;
  return mapWith(mappersFor(section), message, section, context);
}
