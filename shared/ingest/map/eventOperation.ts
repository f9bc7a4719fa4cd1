// What the mappers of IoT Hub's events (lifecycle, twin changes, connection state) do first, and the
// same way: claim the messages of their source kinds for ingest.twinId; filter a module's event that
// the twin id does not address; refuse an opType they do not know (unknown-operation). The opType is
// the sender's text, so it is looked up among the table's own keys only ("constructor" is no operation).

import type { CompiledIngest, TwinIdStrategy } from '../config';
import type { MessageKind } from '../message';
import type { PreparedMessage } from './lookups';
import { unaddressedModule } from './moduleEvents';
import type { ResultBuilder } from './resultBuilder';

/** A mapper's claim: ingest.twinId for the messages of these source kinds. */
export function claimKinds(
  ingest: CompiledIngest,
  kinds: ReadonlySet<MessageKind>,
): (prepared: PreparedMessage) => readonly TwinIdStrategy[] | undefined {
  const strategies = [ingest.twinId];
  return (prepared) => {
    const kind = prepared.message.source?.kind;
    return kind !== undefined && kinds.has(kind) ? strategies : undefined;
  };
}

/**
 * The event's operation from `operations` (keys in lower case), or undefined when the event was
 * filtered (a module's event the twin id does not name) or refused (`needs` says which opTypes are known).
 */
export function eventOperation<T>(
  result: ResultBuilder,
  ingest: CompiledIngest,
  operations: Readonly<Record<string, T>>,
  needs: string,
): T | undefined {
  const module = unaddressedModule(ingest, result.message);
  if (module) {
    result.filter(module);
    return undefined;
  }
  const opType = result.message.source?.opType;
  const key = opType?.toLowerCase();
  if (key !== undefined && Object.hasOwn(operations, key)) return operations[key];
  result.reject({ reason: 'unknown-operation', detail: `${needs}; got ${opType === undefined ? 'none' : JSON.stringify(opType)}` });
  return undefined;
}
