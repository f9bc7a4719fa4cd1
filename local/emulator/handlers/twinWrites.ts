// Committing twin changes: the one place that stores, counts, notifies and marks state dirty.
import { adtNow } from '../clock';
import { newEtag } from '../etag';
import type { RequestContext } from '../http/context';
import type { JsonObject } from '../metadata';
import { applyTwinPatch } from '../patch/applyPatch';
import { diffProperties } from '../patch/diff';
import { checkDocumentSize } from '../payloadLimits';
import type { EmulatorServices } from '../services';
import type { PatchOperation, TwinDoc } from '../types';
import { checkModelUsable, validateTwinOrThrow } from './common';

export function commitTwinCreate(
  services: EmulatorServices,
  ctx: RequestContext | undefined,
  twin: TwinDoc,
  previous: TwinDoc | undefined,
): void {
  services.twins.set(twin);
  services.counters.twinWrite(twin.$dtId, previous ? 'replace' : 'create');
  if (previous) {
    const patch = diffProperties(previous as JsonObject, twin as JsonObject);
    services.notify({
      type: 'Microsoft.DigitalTwins.Twin.Update',
      subject: twin.$dtId,
      data: { modelId: twin.$metadata.$model, patch },
      ...trace(ctx),
    });
  } else {
    services.notify({ type: 'Microsoft.DigitalTwins.Twin.Create', subject: twin.$dtId, data: twin, ...trace(ctx) });
  }
  services.changed();
}

/** Applies a validated patch document (absolute twin paths) and returns the stored twin. */
export function patchTwin(services: EmulatorServices, ctx: RequestContext, current: TwinDoc, ops: PatchOperation[]): TwinDoc {
  if (ops.length === 0) return current;
  const patched = applyTwinPatch(current, ops, adtNow());
  if (patched.$metadata.$model !== current.$metadata.$model) checkModelUsable(services, patched.$metadata.$model, true);
  validateTwinOrThrow(services, patched);
  patched.$etag = newEtag();
  checkDocumentSize(patched, services.payload, 'twin');
  services.twins.set(patched);
  services.counters.twinWrite(patched.$dtId, 'patch');
  services.notify({
    type: 'Microsoft.DigitalTwins.Twin.Update',
    subject: patched.$dtId,
    data: { modelId: patched.$metadata.$model, patch: ops },
    ...trace(ctx),
  });
  services.changed();
  return patched;
}

export function trace(ctx: RequestContext | undefined): { traceparent?: string } {
  return ctx ? { traceparent: ctx.traceparent } : {};
}
