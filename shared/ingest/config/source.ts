// Where a mapped value comes from. One string grammar, shared by property sources and template
// variables (`{deviceId}` reads the same thing as the source `$deviceId`):
//   temperature, a.b[0], $.a.b, $body, $body.a   → the JSON body
//   $properties.<name>                            → an application property (e.g. an IoT Hub enrichment;
//                                                   one stamped without a value reads as missing)
//   $system.<name>                                → a system property (e.g. iothub-connection-auth-method)
//   $enqueuedTime $deviceId $moduleId $component $modelId $messageId $sequenceNumber $partitionKey

import { type DeviceMessage, lookupProperty } from '../message';
import { enrichedValue } from './enrichment';
import { parsePath, type PathSegment, readPath } from './jsonPath';

export type SourceReader = (message: DeviceMessage) => unknown;

export interface CompiledSource {
  text: string;
  read: SourceReader;
  /** Body path segments when the source reads the body; used to name telemetry fields. */
  bodyPath?: PathSegment[];
}

const metaReaders: Readonly<Record<string, SourceReader>> = {
  $enqueuedTime: (m) => m.enqueuedTime,
  $deviceId: (m) => m.deviceId,
  $moduleId: (m) => m.moduleId,
  $component: (m) => m.component,
  $modelId: (m) => m.modelId,
  $messageId: (m) => m.messageId,
  $sequenceNumber: (m) => m.sequenceNumber,
  $partitionKey: (m) => m.partitionKey,
};

export const metaSourceNames: readonly string[] = Object.keys(metaReaders);

/** Compiles a source string; returns an error text (no path prefix) when it is malformed. */
export function compileSource(text: string): CompiledSource | string {
  const meta = metaReaders[text];
  if (meta) return { text, read: meta };
  for (const [prefix, bag] of [
    ['$properties.', 'properties'],
    ['$system.', 'systemProperties'],
  ] as const) {
    if (text.startsWith(prefix)) {
      const name = text.slice(prefix.length);
      if (name === '') return `"${text}" names no property; write ${prefix}<name>`;
      // An application property may be an IoT Hub enrichment stamped without a value (enrichment.ts).
      if (bag === 'properties') return { text, read: (m) => enrichedValue(lookupProperty(m.properties, name)) };
      return { text, read: (m) => lookupProperty(m[bag], name) };
    }
  }
  let pathText = text;
  if (text === '$body') pathText = '';
  else if (text.startsWith('$body.')) pathText = text.slice('$body.'.length);
  else if (text.startsWith('$') && !text.startsWith('$.')) {
    return `unknown source "${text}"; use a body path (a.b[0]), $properties.<name>, $system.<name> or one of ${metaSourceNames.join(', ')}`;
  }
  const segments = parsePath(pathText);
  if (typeof segments === 'string') return segments;
  return { text, bodyPath: segments, read: (m) => readPath(m.body, segments) };
}
