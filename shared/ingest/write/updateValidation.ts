// Checks property updates against the twin's DTDL model before anything is sent, so one bad value
// is rejected on its own instead of failing the whole PATCH with ValidationFailed.

import { type ModelIndex, type Schema, validateValue } from '../../dtdl';
import { describeUpdatePath, type PropertyUpdate, type RejectedUpdate } from '../message';

export function validateUpdate(index: ModelIndex, modelId: string, update: PropertyUpdate): RejectedUpdate | undefined {
  const reject = (reason: RejectedUpdate['reason'], detail: string): RejectedUpdate => ({ update, reason, detail });
  const twinView = index.interface(modelId);
  if (!twinView) return reject('model-unavailable', `Model ${modelId} is not available from ADT (missing references: ${index.missingReferences(modelId).join(', ') || 'none'}).`);
  let view = twinView;
  if (update.component !== undefined) {
    const component = twinView.components.get(update.component);
    const componentView = component ? index.interface(component.interfaceId) : undefined;
    if (!componentView) return reject('unknown-property', `Model ${modelId} has no component "${update.component}".`);
    view = componentView;
  }
  const property = view.properties.get(update.property);
  if (!property) {
    return reject('unknown-property', `${describeUpdatePath(update)}: model ${view.id} has no property "${update.property}". Fix the mapping or the model.`);
  }
  let schema: Schema | undefined = property.schema;
  for (const field of update.subPath ?? []) schema = schema ? childSchema(schema, field) : undefined;
  if (!schema) return reject('unknown-property', `${describeUpdatePath(update)}: ${property.name} has no field path ${(update.subPath ?? []).join('/')} in model ${view.id}.`);
  const issues = validateValue(schema, update.value, describeUpdatePath(update));
  return issues.length > 0 ? reject('invalid-value', issues.join('; ')) : undefined;
}

function childSchema(schema: Schema, field: string): Schema | undefined {
  if (schema.kind === 'object') return schema.fields.find((f) => f.name === field)?.schema;
  if (schema.kind === 'map') return schema.value;
  return undefined;
}
