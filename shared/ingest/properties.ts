// Property lookups tolerant of the Functions library's camel-casing: it lower-cases only the first
// character of every triggerMetadata key, so an application property "DtId" arrives as "dtId".

import { isJsonObject, type JsonObject } from './deviceMessage';

export function lookupProperty(bag: JsonObject, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(bag, name)) return bag[name];
  const lowerFirst = name.charAt(0).toLowerCase() + name.slice(1);
  if (Object.prototype.hasOwnProperty.call(bag, lowerFirst)) return bag[lowerFirst];
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(bag)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function asBag(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}
