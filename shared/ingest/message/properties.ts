// Property lookups tolerant of the Functions library's camel-casing: it lower-cases only the first
// character of every triggerMetadata key, so an application property "DtId" arrives as "dtId".

import { isJsonObject, type JsonObject } from './deviceMessage';

export function lookupProperty(bag: JsonObject, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(bag, name)) return bag[name];
  const lowerFirst = name.charAt(0).toLowerCase() + name.slice(1);
  if (Object.prototype.hasOwnProperty.call(bag, lowerFirst)) return bag[lowerFirst];
  const wanted = name.toLowerCase();
  for (const key in bag) if (Object.prototype.hasOwnProperty.call(bag, key) && key.toLowerCase() === wanted) return bag[key];
  return undefined;
}

export function asBag(value: unknown): JsonObject {
  return isJsonObject(value) ? value : {};
}

/** True when the bag has at least one own key (most events carry no application properties). */
export function hasEntries(bag: JsonObject): boolean {
  for (const key in bag) if (Object.prototype.hasOwnProperty.call(bag, key)) return true;
  return false;
}

/**
 * A fixed set of names read from many bags (decoding reads a dozen system properties per event, most
 * of them absent): one pass over the bag's keys instead of a search per name. A key equal to a name
 * wins over one equal to it in another case; among those, the first in key order.
 */
const unrelated = -1;
const otherKeysCapacity = 1024;

export class PropertySlots<Name extends string> {
  private readonly exact = new Map<string, number>();
  private readonly anyCase = new Map<string, number>();
  /**
   * What other keys mean (a slot matched in another case, or `unrelated`): a fleet sends the same few
   * keys in every event, so each is lower-cased once. Bounded, so hostile keys cannot grow it.
   */
  private readonly otherKeys = new Map<string, number>();
  readonly slot: Readonly<Record<Name, number>>;

  constructor(readonly names: readonly Name[]) {
    if (names.length > 31) throw new Error('PropertySlots tracks at most 31 names (one bit each).');
    const slot = {} as Record<Name, number>;
    names.forEach((name, index) => {
      if (this.anyCase.has(name.toLowerCase())) throw new Error(`PropertySlots: "${name}" differs from another name only in case.`);
      this.exact.set(name, index);
      this.anyCase.set(name.toLowerCase(), index);
      slot[name] = index;
    });
    this.slot = slot;
  }

  /** The bag's value for each name, by slot (undefined where absent). */
  read(bag: JsonObject): unknown[] {
    const values: unknown[] = new Array<unknown>(this.names.length);
    let exactSeen = 0;
    let anyCaseSeen = 0;
    for (const key in bag) {
      if (!Object.prototype.hasOwnProperty.call(bag, key)) continue;
      let index = this.exact.get(key);
      if (index !== undefined) {
        values[index] = bag[key];
        exactSeen |= 1 << index;
        continue;
      }
      index = this.otherKeys.get(key);
      if (index === undefined) {
        index = this.anyCase.get(key.toLowerCase()) ?? unrelated;
        if (this.otherKeys.size < otherKeysCapacity) this.otherKeys.set(key, index);
      }
      if (index === unrelated) continue;
      const bit = 1 << index;
      if ((exactSeen | anyCaseSeen) & bit) continue;
      values[index] = bag[key];
      anyCaseSeen |= bit;
    }
    return values;
  }
}
