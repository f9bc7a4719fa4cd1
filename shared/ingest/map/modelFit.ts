// The one owner of "does this value fit the twin's model". Mapping asks it for every value, before
// coalescing, so a value that does not fit is refused alone and never displaces an older valid one.
// It finds where a target lives (the twin's interface or a component's), the property's schema, and
// checks a value against that schema. One code per fault: unknown-component, not-in-model,
// schema-mismatch, model-unavailable. Nothing later checks again: the writer sends what mapping
// decided and ADT has the last word on what reaches it.

import type { InterfaceView, PropertyDef, Schema } from '../../dtdl';
import type { Refusal } from '../message';

/** DTDL interfaces by id, e.g. `(id) => modelIndex.interface(id)`. */
export type InterfaceLookup = (interfaceId: string) => InterfaceView | undefined;

/** shared/dtdl validateValue: one message per violation, each prefixed with `path`; empty when the value fits. */
export type ValueValidator = (schema: Schema, value: unknown, path: string) => string[];

/** A twin's model as far as mapping knows it. */
export interface TwinInterface {
  modelId?: string;
  view?: InterfaceView;
  /** The model id is the twin's own (read from ADT), not the device's dt-dataschema. */
  fromTwin?: boolean;
}

/** Where a target fits: its property (with its schema), or nothing to check against (`{}`). */
export type TargetFit = Pick<PropertyDef, 'schema'> | { schema?: undefined };

/** No model to check against: the value is written as it is. */
export const unchecked: TargetFit = Object.freeze({});

/**
 * The interface of `component` in `view`: undefined when the model has no such component, null when
 * it has one whose interface is not loaded (nothing to check against).
 */
export function componentInterface(view: InterfaceView, component: string, lookup: InterfaceLookup): InterfaceView | null | undefined {
  const definition = view.components.get(component);
  if (!definition) return undefined;
  return lookup(definition.interfaceId) ?? null;
}

/** Where `component/property` lives in the twin's model, or why it does not. */
export function targetFit(
  twin: TwinInterface,
  twinId: string,
  lookup: InterfaceLookup | undefined,
  component: string | undefined,
  property: string,
): TargetFit | Refusal {
  const root = twin.view;
  if (!lookup) return unchecked;
  if (!root) {
    // The twin names a model ADT could not give us: refused now, as it would be at write time.
    if (twin.fromTwin && twin.modelId !== undefined)
      return { reason: 'model-unavailable', detail: `model ${twin.modelId} of twin ${twinId} is not available from ADT`, twinId };
    return unchecked;
  }
  let view = root;
  if (component !== undefined) {
    const componentView = componentInterface(root, component, lookup);
    if (componentView === undefined)
      return {
        reason: 'unknown-component',
        detail: `model ${twin.modelId ?? root.id} of twin ${twinId} has no component "${component}"`,
        twinId,
      };
    if (componentView === null) return unchecked;
    view = componentView;
  }
  const definition = view.properties.get(property);
  if (definition) return definition;
  const label = component === undefined ? property : `${component}/${property}`;
  return { reason: 'not-in-model', detail: `${label} is not a property of ${view.id} (twin ${twinId})`, twinId };
}

/** Why `value` does not fit `schema` (at JSON Pointer `path`), or undefined when it fits or cannot be checked. */
export function valueMisfit(
  schema: Schema | undefined,
  value: unknown,
  path: string,
  validate: ValueValidator | undefined,
  twinId: string,
): Refusal | undefined {
  if (schema === undefined || validate === undefined) return undefined;
  const problems = validate(schema, value, path);
  return problems.length === 0 ? undefined : { reason: 'schema-mismatch', detail: problems.join('; '), twinId };
}

export function isRefusal(fit: TargetFit | Refusal): fit is Refusal {
  return 'reason' in fit;
}
