// Checks whole twin documents and relationships against a ModelIndex, the way ADT's ValidationFailed does.

import { isRecord, type JsonRecord, stringOf } from './json';
import type { InterfaceView, ModelIndex, PropertyDef } from './types';
import { validateValue } from './validateValue';

/** ADT's wording for a twin whose model (or something it needs) has not been uploaded. */
export function missingModelMessage(modelId: string): string {
  return `${modelId} or one of its dependencies does not exist.`;
}

/**
 * Validates a twin body (as PUT to /digitaltwins/{id}, or the result of applying a patch). Keys starting
 * with `$` are system keys and skipped; every component the model declares must be present (ADT rejects a
 * twin without one, even when the component would be empty: `"comp": { "$metadata": {} }`).
 */
export function validateTwinDocument(index: ModelIndex, twin: unknown): string[] {
  if (!isRecord(twin)) return ['The twin must be a JSON object.'];
  const metadata = twin['$metadata'];
  const modelId = isRecord(metadata) ? stringOf(metadata['$model']) : undefined;
  if (modelId === undefined) return ['The twin has no $metadata.$model. Set "$metadata": { "$model": "<model DTMI>" }.'];
  const view = resolvedView(index, modelId);
  if (!view) return [missingModelMessage(modelId)];
  return validateContents(index, view, twin, '', true);
}

/** Validates one component's object (as PATCHed through /components/{name}) against its interface. */
export function validateComponentDocument(index: ModelIndex, componentInterfaceId: string, component: unknown, path = ''): string[] {
  const view = resolvedView(index, componentInterfaceId);
  if (!view) return [missingModelMessage(componentInterfaceId)];
  if (!isRecord(component)) return [`${path || '/'}: a component must be a JSON object`];
  return validateContents(index, view, component, path, false);
}

/**
 * Checks a relationship against its source model: the name must be declared (inherited ones count), the
 * target model must be compatible with a declared `target`, and properties must be declared and typed.
 */
export function validateRelationship(
  index: ModelIndex,
  sourceModel: string,
  relationshipName: string,
  targetModel: string | undefined,
  properties: Record<string, unknown>,
): string[] {
  const view = resolvedView(index, sourceModel);
  if (!view) return [missingModelMessage(sourceModel)];
  const relationship = view.relationships.get(relationshipName);
  if (!relationship) {
    const declared = [...view.relationships.keys()].join(', ') || '(none)';
    return [
      `Relationship '${relationshipName}' is not defined on ${sourceModel} or the models it extends. Declared relationships: ${declared}.`,
    ];
  }
  const issues: string[] = [];
  if (relationship.target !== undefined && targetModel !== undefined && !index.isOfModel(targetModel, relationship.target)) {
    issues.push(
      `Relationship '${relationshipName}' of ${sourceModel} must target a twin of model ${relationship.target} (or a model extending it), but the target twin's model is ${targetModel}.`,
    );
  }
  for (const [key, value] of Object.entries(properties)) {
    if (key.startsWith('$')) continue;
    issues.push(...checkProperty(relationship.properties, key, value, `/${key}`, `relationship '${relationshipName}'`));
  }
  return issues;
}

function resolvedView(index: ModelIndex, modelId: string): InterfaceView | undefined {
  if (index.missingReferences(modelId).length > 0) return undefined;
  return index.interface(modelId);
}

function validateContents(index: ModelIndex, view: InterfaceView, doc: JsonRecord, path: string, isTwin: boolean): string[] {
  const issues: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith('$')) continue;
    const component = view.components.get(key);
    if (component) {
      issues.push(...validateComponentDocument(index, component.interfaceId, value, `${path}/${key}`));
      continue;
    }
    issues.push(...checkProperty(view.properties, key, value, `${path}/${key}`, view.id, view));
  }
  // A component's own sub-components are not required by ADT's examples; only the twin's are enforced.
  if (isTwin) {
    for (const name of view.components.keys()) {
      if (!(name in doc)) {
        issues.push(`Twin is missing component '${name}'. Add it, even if empty: "${name}": { "$metadata": {} }.`);
      }
    }
  }
  return issues;
}

function checkProperty(
  properties: ReadonlyMap<string, PropertyDef>,
  key: string,
  value: unknown,
  path: string,
  owner: string,
  view?: InterfaceView,
): string[] {
  const property = properties.get(key);
  if (property) return validateValue(property.schema, value, path);
  const kind = view?.telemetry.has(key)
    ? ' (it is Telemetry, which is sent with publishTelemetry, not stored on the twin)'
    : view?.relationships.has(key)
      ? ' (it is a Relationship; create it with upsertRelationship)'
      : view?.commands.has(key)
        ? ' (it is a Command)'
        : '';
  const declared = [...properties.keys()].join(', ') || '(none)';
  return [`${path}: ${key} is not a property of ${owner}${kind}. Declared properties: ${declared}.`];
}
