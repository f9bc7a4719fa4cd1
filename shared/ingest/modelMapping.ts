// The zero-config mapping: body fields the twin's DTDL interface declares as Properties become
// property updates, fields declared as Telemetry are published, anything else is reported as
// unmodeled. A component is addressed by dt-subject, or by a body field named like the component.

import type { InterfaceView, PropertyDef } from '../dtdl';
import type { JsonObject } from './deviceMessage';
import { isJsonObject } from './deviceMessage';

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

export interface ModelMapping {
  properties: ModelMappedProperty[];
  telemetry: ModelMappedTelemetry[];
  /** Body fields the interface does not declare (as `field` or `component/field`). */
  unmodeled: string[];
  /** dt-subject named a component the interface does not have. */
  unknownComponent?: string;
}

export type InterfaceLookup = (interfaceId: string) => InterfaceView | undefined;

export function modelDrivenMapping(body: JsonObject, view: InterfaceView, lookup: InterfaceLookup, component?: string): ModelMapping {
  const result: ModelMapping = { properties: [], telemetry: [], unmodeled: [] };
  if (component !== undefined) {
    const definition = view.components.get(component);
    const componentView = definition && lookup(definition.interfaceId);
    if (!componentView) return { ...result, unknownComponent: component, unmodeled: Object.keys(body).map((k) => `${component}/${k}`) };
    mapInterface(body, componentView, component, result);
    return result;
  }
  const rootFields: JsonObject = {};
  for (const [field, value] of Object.entries(body)) {
    const definition = view.components.get(field);
    const componentView = definition && isJsonObject(value) ? lookup(definition.interfaceId) : undefined;
    if (componentView && isJsonObject(value)) mapInterface(value, componentView, field, result);
    else rootFields[field] = value;
  }
  mapInterface(rootFields, view, undefined, result);
  return result;
}

function mapInterface(body: JsonObject, view: InterfaceView, component: string | undefined, result: ModelMapping): void {
  const payload: JsonObject = {};
  for (const [field, value] of Object.entries(body)) {
    const property = view.properties.get(field);
    if (property) {
      if (value !== null && value !== undefined) result.properties.push({ property: field, value, definition: property, ...(component !== undefined && { component }) });
    } else if (view.telemetry.has(field)) {
      payload[field] = value;
    } else {
      result.unmodeled.push(component === undefined ? field : `${component}/${field}`);
    }
  }
  if (Object.keys(payload).length > 0) result.telemetry.push({ payload, ...(component !== undefined && { component }) });
}
