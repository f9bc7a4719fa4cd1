// Building and maintaining `$metadata` the way ADT shows it: `$model`, `$lastUpdateTime`, and one
// `{lastUpdateTime, sourceTime?}` entry per set property; components carry their own `$metadata` (no `$model`).
import { isIsoDateTime } from './clock';
import { errors } from './errors';
import type { PropertyMetadata, TwinDoc, TwinMetadata } from './types';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** ADT always returns components with a `$metadata` object, and requires one at creation. */
export function isComponentValue(value: unknown): value is JsonObject {
  return isJsonObject(value) && isJsonObject(value['$metadata']);
}

/** Property names of an object, skipping `$`-prefixed system keys. */
export function propertyNames(obj: JsonObject): string[] {
  return Object.keys(obj).filter((k) => !k.startsWith('$'));
}

function requestedSourceTime(meta: unknown, prop: string, where: string): string | undefined {
  if (!isJsonObject(meta)) return undefined;
  const entry = meta[prop];
  if (!isJsonObject(entry) || entry['sourceTime'] === undefined) return undefined;
  const value = entry['sourceTime'];
  if (!isIsoDateTime(value)) {
    throw errors.invalidArgument(
      `sourceTime of ${where}${prop} must be an ISO 8601 date-time such as 2022-05-31T12:00:01.0001250Z (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

function propertyMeta(now: string, sourceTime: string | undefined): PropertyMetadata {
  return sourceTime === undefined ? { lastUpdateTime: now } : { lastUpdateTime: now, sourceTime };
}

/** A component as stored: its properties plus a fresh `$metadata` (sourceTimes from the request kept). */
export function buildComponent(value: JsonObject, now: string, where: string): JsonObject {
  const meta: JsonObject = { $lastUpdateTime: now };
  const component: JsonObject = {};
  for (const prop of propertyNames(value)) {
    component[prop] = structuredClone(value[prop]);
    meta[prop] = propertyMeta(now, requestedSourceTime(value['$metadata'], prop, `${where}/`));
  }
  component['$metadata'] = meta;
  return component;
}

/** The stored twin for a PUT body: path id wins over body `$dtId`, every property stamped `now`. */
export function buildTwinFromRequest(id: string, body: JsonObject, now: string, etag: string): TwinDoc {
  const requestMeta = isJsonObject(body['$metadata']) ? body['$metadata'] : {};
  const model = requestMeta['$model'];
  const metadata: TwinMetadata = { $model: typeof model === 'string' ? model : '', $lastUpdateTime: now };
  const twin: TwinDoc = { $dtId: id, $etag: etag, $metadata: metadata };
  for (const prop of propertyNames(body)) {
    const value = body[prop];
    if (isComponentValue(value)) {
      twin[prop] = buildComponent(value, now, prop);
    } else {
      twin[prop] = structuredClone(value);
      metadata[prop] = propertyMeta(now, requestedSourceTime(requestMeta, prop, ''));
    }
  }
  return orderTwin(twin);
}

/** Re-stamps `props` in a metadata object: kept sourceTime, fresh lastUpdateTime, entry dropped when unset. */
export function refreshEntries(owner: JsonObject, meta: JsonObject, props: Iterable<string>, now: string): void {
  for (const prop of props) {
    if (!Object.hasOwn(owner, prop)) {
      delete meta[prop];
      continue;
    }
    const previous = meta[prop];
    const sourceTime = isJsonObject(previous) && typeof previous['sourceTime'] === 'string' ? previous['sourceTime'] : undefined;
    meta[prop] = propertyMeta(now, sourceTime);
  }
}

/** `$dtId`, `$etag`, properties, `$metadata` last, the order the service returns. */
export function orderTwin(twin: TwinDoc): TwinDoc {
  const ordered: TwinDoc = { $dtId: twin.$dtId, $etag: twin.$etag, $metadata: twin.$metadata };
  delete (ordered as JsonObject)['$metadata'];
  for (const key of Object.keys(twin)) {
    if (key !== '$dtId' && key !== '$etag' && key !== '$metadata') ordered[key] = twin[key];
  }
  ordered.$metadata = twin.$metadata;
  return ordered;
}

/** The twin's model id and the component model, if the caller can resolve one. */
export function modelOf(twin: TwinDoc): string {
  return twin.$metadata.$model;
}
