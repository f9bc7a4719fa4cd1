// Small lookups every handler needs, each raising ADT's own error when the thing is missing.
import { errors } from '../errors';
import { header, type RequestContext } from '../http/context';
import { isJsonObject, type JsonObject } from '../metadata';
import type { EmulatorServices } from '../services';
import type { RelationshipDoc, TwinDoc } from '../types';

export function param(ctx: RequestContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route is missing path parameter :${name}`);
  return value;
}

export function requireTwin(services: EmulatorServices, id: string): TwinDoc {
  const twin = services.twins.get(id);
  if (!twin) throw errors.twinNotFound(id);
  return twin;
}

export function requireRelationship(services: EmulatorServices, id: string, relationshipId: string): RelationshipDoc {
  const relationship = services.relationships.get(id, relationshipId);
  if (!relationship) throw errors.relationshipNotFound(id, relationshipId);
  return relationship;
}

export function requireObjectBody(ctx: RequestContext, what: string): JsonObject {
  if (!isJsonObject(ctx.body)) throw errors.invalidArgument(`The request body must be a JSON object describing the ${what}.`);
  return ctx.body;
}

export const ifMatch = (ctx: RequestContext): string | undefined => header(ctx, 'if-match');
export const ifNoneMatch = (ctx: RequestContext): string | undefined => header(ctx, 'if-none-match');

/** Model existence and decommission checks ADT runs before validating a twin. */
export function checkModelUsable(services: EmulatorServices, modelId: string, creating: boolean): void {
  if (!services.models.has(modelId)) throw errors.validationFailed([`${modelId} or one of its dependencies does not exist.`]);
  if (creating && services.models.isDecommissioned(modelId)) throw errors.modelDecommissioned(modelId);
}

export function validateTwinOrThrow(services: EmulatorServices, twin: TwinDoc): void {
  const issues = services.models.validateTwin(twin);
  if (issues.length > 0) throw errors.validationFailed(issues);
}
