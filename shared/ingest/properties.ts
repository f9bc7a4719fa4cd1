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

/**
 * A bag indexed once for repeated look-ups (decoding asks for a dozen system properties per event,
 * most of them absent): exact name, then the library's lower-cased first letter, then any case.
 */
export function propertyIndex(bag: JsonObject): (name: string) => unknown {
  let lowered: Map<string, unknown> | undefined;
  return (name) => {
    if (Object.prototype.hasOwnProperty.call(bag, name)) return bag[name];
    if (!lowered) {
      lowered = new Map();
      for (const key in bag) if (Object.prototype.hasOwnProperty.call(bag, key)) {
        const lower = key.toLowerCase();
        if (!lowered.has(lower)) lowered.set(lower, bag[key]);
      }
    }
    return lowered.get(name.toLowerCase());
  };
}
