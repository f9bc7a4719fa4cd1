// One message → what to write. The rule mapper (configured rules) and the model mapper (the
// zero-config default) are tried in turn; the first that claims a message maps it, and a message
// neither claims is filtered as no-matching-rule. A value that fails (transform, range, model check)
// is refused alone; the rest of the message still applies. Mapping throws only when an injected
// look-up throws (e.g. a throttled twin-id query), so the caller can retry instead of dead-lettering.

import { type Awaitable, isPromise } from '../../common';
import type { CompiledIngest } from '../config';
import type { DeviceMessage } from '../message';
import type { Mapper } from './mapper';
import type { MappingContext } from './mappingContext';
import type { MappingResult } from './mappingResult';
import { MessageMapping } from './messageMapping';
import { ModelMapper } from './modelMapper';
import { RuleMapper } from './ruleMapper';

/** The mappers a compiled ingest section asks for, in the order they are tried. */
export function mappersFor(ingest: CompiledIngest): Mapper[] {
  const mappers: Mapper[] = [new RuleMapper(ingest)];
  if (ingest.options.unmatched === 'model') mappers.push(new ModelMapper(ingest));
  return mappers;
}

/** Maps one message; ready at once (no promise) when no mapper had to wait for a look-up or an expression. */
export function mapWith(mappers: readonly Mapper[], message: DeviceMessage, ingest: CompiledIngest, context: MappingContext = {}): Awaitable<MappingResult> {
  const mapping = new MessageMapping(message, ingest, context);
  const claimed = firstClaim(mappers, mapping, 0);
  return isPromise(claimed) ? claimed.then((ready) => finish(mapping, ready)) : finish(mapping, claimed);
}

function finish(mapping: MessageMapping, claimed: boolean): MappingResult {
  if (!claimed) mapping.filter({ reason: 'no-matching-rule', detail: `no rule matches device ${mapping.message.deviceId}` });
  return mapping.finish();
}

function firstClaim(mappers: readonly Mapper[], mapping: MessageMapping, from: number): Awaitable<boolean> {
  for (let index = from; index < mappers.length; index++) {
    const claimed = (mappers[index] as Mapper).map(mapping);
    if (isPromise(claimed)) return claimed.then((yes) => yes || firstClaim(mappers, mapping, index + 1));
    if (claimed) return true;
  }
  return false;
}

/** Maps one message with the mappers its configuration asks for (tests, the mapping preview). */
export async function mapMessage(message: DeviceMessage, ingest: CompiledIngest | { ingest: CompiledIngest }, context: MappingContext = {}): Promise<MappingResult> {
  const section = 'ingest' in ingest ? ingest.ingest : ingest;
  return mapWith(mappersFor(section), message, section, context);
}
