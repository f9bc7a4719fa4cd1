// The reported values an IoT Hub twin notification carries, flattened to one list whatever its form
// (reference §1.5–§1.6): a device twin change (`properties.reported`, with `$metadata.<name>.
// $lastUpdated`; a Plug and Play component is an object marked `"__t": "c"`), or a digital twin
// change (a JSON Patch on the digital twin: `/<name>`, `/<component>`, `/<component>/<name>`, and
// `/$metadata/<name>` / `/<component>/$metadata/<name>` with `lastUpdateTime`). Desired properties
// and tags are not reported values; a writable property's desired state in a digital twin change
// (`desiredValue`, `ackCode` under `$metadata`) is not either.

import { isJsonObject, isPrototypeKey, type JsonObject } from '../message';

export interface ReportedValue {
  /** A component of the device (set when the value is inside one). */
  component?: string;
  property: string;
  value: unknown;
  /** When IoT Hub recorded the value ($lastUpdated / lastUpdateTime), when the event says. */
  lastUpdated?: unknown;
}

export interface ReportedValues {
  values: ReportedValue[];
  /** What was not a value to map (a removal, a malformed operation), for the filtered detail. */
  skipped: string[];
}

const isMeta = (key: string): boolean => key.startsWith('$') || key === '__t' || isPrototypeKey(key);

/** A device twin change (updateTwin: only what changed; replaceTwin: the whole twin). */
export function twinChangeValues(body: JsonObject): ReportedValues {
  const result: ReportedValues = { values: [], skipped: [] };
  const properties = body.properties;
  const reported = isJsonObject(properties) ? properties.reported : undefined;
  if (!isJsonObject(reported)) return result;
  const metadata = isJsonObject(reported.$metadata) ? reported.$metadata : {};
  for (const name of Object.keys(reported)) {
    if (isMeta(name)) continue;
    const value = reported[name];
    const meta = isJsonObject(metadata[name]) ? (metadata[name] as JsonObject) : {};
    if (value === null) {
      result.skipped.push(`${name} (removed)`);
    } else if (isJsonObject(value) && value.__t === 'c') {
      for (const inner of Object.keys(value)) {
        if (isMeta(inner)) continue;
        if (value[inner] === null) {
          result.skipped.push(`${name}/${inner} (removed)`);
          continue;
        }
        const innerMeta = isJsonObject(meta[inner]) ? (meta[inner] as JsonObject) : {};
        result.values.push({
          component: name,
          property: inner,
          value: value[inner],
          lastUpdated: innerMeta.$lastUpdated ?? meta.$lastUpdated,
        });
      }
    } else {
      result.values.push({ property: name, value, lastUpdated: meta.$lastUpdated });
    }
  }
  return result;
}

/** A digital twin change: the JSON Patch decoding held as `{ patch }`. */
export function digitalTwinChangeValues(body: JsonObject): ReportedValues {
  const result: ReportedValues = { values: [], skipped: [] };
  const patch = Array.isArray(body.patch) ? body.patch : [];
  const times = new Map<string, unknown>();
  const found: ReportedValue[] = [];
  for (const operation of patch) {
    if (!isJsonObject(operation) || typeof operation.path !== 'string') {
      result.skipped.push('an operation without a path');
      continue;
    }
    const segments = operation.path
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (operation.op === 'remove') {
      result.skipped.push(`${operation.path} (removed)`);
      continue;
    }
    if (operation.op !== 'add' && operation.op !== 'replace') {
      result.skipped.push(`${operation.path} (op ${String(operation.op)})`);
      continue;
    }
    const value = operation.value;
    const [first, second, third] = segments;
    if (first === undefined || segments.some(isPrototypeKey)) {
      result.skipped.push(operation.path);
    } else if (first === '$metadata' && second !== undefined && segments.length === 2) {
      if (isJsonObject(value)) times.set(second, value.lastUpdateTime);
    } else if (second === '$metadata' && third !== undefined && segments.length === 3) {
      if (isJsonObject(value)) times.set(`${first}/${third}`, value.lastUpdateTime);
    } else if (segments.length === 1 && isJsonObject(value) && isJsonObject(value.$metadata)) {
      // A whole component: its values and their times together.
      const metadata = value.$metadata;
      for (const name of Object.keys(value)) {
        if (isMeta(name)) continue;
        const meta = isJsonObject(metadata[name]) ? (metadata[name] as JsonObject) : {};
        found.push({ component: first, property: name, value: value[name], lastUpdated: meta.lastUpdateTime });
      }
    } else if (segments.length === 1 && !first.startsWith('$')) {
      found.push({ property: first, value });
    } else if (segments.length === 2 && !second?.startsWith('$')) {
      found.push({ component: first, property: second as string, value });
    } else {
      result.skipped.push(operation.path);
    }
  }
  for (const item of found) {
    if (item.lastUpdated === undefined) {
      const time = times.get(item.component === undefined ? item.property : `${item.component}/${item.property}`);
      if (time !== undefined) item.lastUpdated = time;
    }
    if (item.value === null) result.skipped.push(`${item.component === undefined ? '' : `${item.component}/`}${item.property} (removed)`);
    else result.values.push(item);
  }
  return result;
}
