// Sorts a body's fields by the twin's DTDL interface, for the model-driven mapper: fields declared as
// Properties (with their definition), fields declared as Telemetry (one payload per component), and
// the rest (unmodeled). A component is addressed by dt-subject, or by a body field named like it.

import type { InterfaceView, PropertyDef } from '../../dtdl';
import { isJsonObject, isPrototypeKey, type JsonObject } from '../message';
import { componentInterface, type InterfaceLookup } from './modelFit';

export interface ModelMappedProperty {
  component?: string;
  property: string;
  value: unknown;
  definition: PropertyDef;
}

export interface ModelMappedTelemetry {
  component?: string;
  payload: JsonObject;
}

export interface ModelFields {
  properties: ModelMappedProperty[];
  telemetry: ModelMappedTelemetry[];
  /** Body fields the interface does not declare (as `field` or `component/field`). */
  unmodeled: string[];
  /** dt-subject named a component the interface does not have. */
  unknownComponent?: string;
}

export function modelFields(body: JsonObject, view: InterfaceView, lookup: InterfaceLookup, component?: string): ModelFields {
  const result: ModelFields = { properties: [], telemetry: [], unmodeled: [] };
  if (component !== undefined) {
    const componentView = componentInterface(view, component, lookup);
    if (!componentView) return { ...result, unknownComponent: component, unmodeled: Object.keys(body).map((k) => `${component}/${k}`) };
    mapInterface(body, componentView, component, result);
    return result;
  }
  // An interface without components maps the body as it is (no copy of its root fields).
  if (view.components.size === 0) {
    mapInterface(body, view, undefined, result);
    return result;
  }
  // Fields named like a component (and holding an object) map into it; the others map at the root.
  // Nothing is copied (a copy made by assignment is how a "__proto__" key once reached a prototype),
  // and only own keys are read, whatever prototype the object has.
  let componentFields: Set<string> | undefined;
  for (const field of Object.keys(body)) {
    const value = body[field];
    if (!isJsonObject(value) || !view.components.has(field)) continue;
    const componentView = componentInterface(view, field, lookup);
    if (!componentView) continue;
    mapInterface(value, componentView, field, result);
    (componentFields ??= new Set()).add(field);
  }
  mapInterface(body, view, undefined, result, componentFields);
  return result;
}

function mapInterface(
  body: JsonObject,
  view: InterfaceView,
  component: string | undefined,
  result: ModelFields,
  skip?: ReadonlySet<string>,
): void {
  let payload: JsonObject | undefined;
  for (const field of Object.keys(body)) {
    if (skip?.has(field)) continue;
    const value = body[field];
    // Decoding removes these keys (filtered prototype-key); a body that did not pass through it reports them here.
    const property = isPrototypeKey(field) ? undefined : view.properties.get(field);
    if (property) {
      if (value === null || value === undefined) continue;
      const mapped: ModelMappedProperty = { property: field, value, definition: property };
      if (component !== undefined) mapped.component = component;
      result.properties.push(mapped);
    } else if (view.telemetry.has(field) && !isPrototypeKey(field)) {
      (payload ??= {})[field] = value;
    } else {
      result.unmodeled.push(component === undefined ? field : `${component}/${field}`);
    }
  }
  if (payload === undefined) return;
  const telemetry: ModelMappedTelemetry = { payload };
  if (component !== undefined) telemetry.component = component;
  result.telemetry.push(telemetry);
}
