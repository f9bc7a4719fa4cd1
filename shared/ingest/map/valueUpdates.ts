// One mapped value → its property updates, shaped by its DTDL schema when the model is known: a
// Map property is patched per key (`/map/key`), never whole, so devices updating different keys do
// not overwrite each other; an Object property is written whole (ADT cannot add a field below an
// Object that was never set). Each value or key is checked against the model first (modelFit) and
// refused alone.

import type { Schema } from '../../dtdl';
import { isJsonObject, isPrototypeKey, prototypeKeyIn } from '../message';
import { valueMisfit } from './modelFit';
import type { ResultBuilder } from './resultBuilder';

export interface MappedValue {
  twinId: string;
  component: string | undefined;
  property: string;
  value: unknown;
  sourceTime: string;
  rule: string;
  where?: string;
  /** The property's DTDL schema; undefined when the twin's model is unknown (no checks, written whole). */
  schema: Schema | undefined;
}

export function addValue(result: ResultBuilder, item: MappedValue): void {
  const { twinId, component, property, value, sourceTime, rule, where, schema } = item;
  // Decoding removed such keys from the body, but a transform can build one (a JSONata object with a
  // "__proto__" key gets another prototype): the value is refused whole, before a Map is split by key.
  const prototypeKey = isPrototypeKey(property) ? '' : prototypeKeyIn(value);
  if (prototypeKey !== undefined) {
    const detail = `/${label(component, property)}${prototypeKey}: a key __proto__, constructor or prototype (or an object built through one) is never written`;
    result.reject({ reason: 'prototype-key', detail, twinId, ...(where !== undefined && { where }) });
    return;
  }
  const validate = result.lookups.sources.validateValue;
  if (schema?.kind === 'map' && isJsonObject(value)) {
    for (const key of Object.keys(value)) {
      const entry = value[key];
      const misfit = valueMisfit(schema.value, entry, `/${label(component, property)}/${key}`, validate, twinId);
      if (misfit) result.reject(where === undefined ? misfit : { ...misfit, where });
      else result.addUpdate(twinId, component, property, entry, sourceTime, rule, where, [key]);
    }
    return;
  }
  const misfit = schema === undefined ? undefined : valueMisfit(schema, value, `/${label(component, property)}`, validate, twinId);
  if (misfit) result.reject(where === undefined ? misfit : { ...misfit, where });
  else result.addUpdate(twinId, component, property, value, sourceTime, rule, where);
}

function label(component: string | undefined, property: string): string {
  return component === undefined ? property : `${component}/${property}`;
}
