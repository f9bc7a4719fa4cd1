// The mapper interface: configured once from the compiled ingest section, then `map` per message,
// as Eclipse Ditto's payload mappers are. The message and its look-ups come in a MessageMapping.

import type { Awaitable } from '../../common';
import type { MessageMapping } from './messageMapping';

export interface Mapper {
  /**
   * Maps `mapping.message` into `mapping`; false when this mapper does not claim the message. Ready at
   * once when nothing it needs has to be fetched or evaluated asynchronously.
   */
  map(mapping: MessageMapping): Awaitable<boolean>;
}
