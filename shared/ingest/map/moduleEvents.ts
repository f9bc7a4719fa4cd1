// An IoT Hub event about a module (moduleId set: its lifecycle, its module twin's changes, its
// connection) is about the module, not the device: with a twin id that does not name the module
// (the default `{deviceId}`) it would retire, patch or mark the device's twin. Such events are
// filtered unless the twin id template uses {moduleId} (a table or query strategy decides itself).

import type { CompiledIngest } from '../config';
import type { DeviceMessage } from '../message';
import type { Filtered } from './mappingResult';

/** Why a module's event is not mapped, or undefined when it may be. */
export function unaddressedModule(ingest: CompiledIngest, message: DeviceMessage): Filtered | undefined {
  if (message.moduleId === undefined) return undefined;
  const strategy = ingest.twinId;
  if (strategy.kind !== 'template' || strategy.template.variables.includes('moduleId')) return undefined;
  return {
    reason: 'source-not-handled',
    detail: `${message.source?.name ?? 'an event'} of module ${message.moduleId} on device ${message.deviceId}: ingest.twinId ${strategy.template.text} does not name the module ({moduleId}), so it would address the device's twin`,
  };
}
