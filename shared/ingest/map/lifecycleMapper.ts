// Device lifecycle events (createDeviceIdentity / deleteDeviceIdentity; modules too, also under the
// 2018 names createModuleIdentity / deleteModuleIdentity) → create or retire the twin. Zero
// configuration: a create makes the twin, when it does not exist, with the model the device twin in
// the event names (`modelId`; the writer filters it no-model-for-device when ADT does not know that
// model); without one it is filtered no-model-for-device. A delete retires the twin: its incoming and
// outgoing relationships first (ADT refuses otherwise), then the twin; the relationship deletions
// notify, so the old parents' roll-ups are recomputed. A create of a twin that exists and a delete of
// one already gone are filtered (redelivery, reordering).

import type { CompiledIngest, TwinIdStrategy } from '../config';
import { normalizeTimestamp } from '../decode';
import { isJsonObject, type LifecycleAction, lookupProperty } from '../message';
import { claimKinds, eventOperation } from './eventOperation';
import type { Lookups, PreparedMessage } from './lookups';
import type { Mapper, MappingResult } from './mappingResult';
import { isRefusal, targetFit } from './modelFit';
import { ResultBuilder } from './resultBuilder';
import type { ResolvedTwin } from './twinTargets';
import { addValue } from './valueUpdates';

export const LIFECYCLE_RULE = '(lifecycle)';

const operations: Readonly<Record<string, 'create' | 'delete'>> = {
  createdeviceidentity: 'create',
  createmoduleidentity: 'create',
  deletedeviceidentity: 'delete',
  deletemoduleidentity: 'delete',
};

/** The device twin's Plug and Play model id, when the event's twin carries one. */
function modelIdOf(body: Record<string, unknown>): string | undefined {
  const modelId = body.modelId;
  return typeof modelId === 'string' && modelId.startsWith('dtmi:') ? modelId : undefined;
}

export class LifecycleMapper implements Mapper {
  readonly claims: (prepared: PreparedMessage) => readonly TwinIdStrategy[] | undefined;

  constructor(private readonly ingest: CompiledIngest) {
    this.claims = claimKinds(ingest, new Set(['deviceLifecycleEvents']));
  }

  map(prepared: PreparedMessage, lookups: Lookups): MappingResult {
    const result = new ResultBuilder(prepared, this.ingest, lookups);
    const operation = eventOperation(
      result,
      this.ingest,
      operations,
      'a device lifecycle event needs opType createDeviceIdentity or deleteDeviceIdentity',
    );
    if (operation === undefined) return result.finish();
    const { message } = result;
    const resolution = lookups.resolution(prepared, this.ingest.twinId);
    if (!resolution.ok) {
      result.reject({ reason: resolution.reason, detail: resolution.detail, where: 'ingest.twinId' });
      return result.finish();
    }
    const body = isJsonObject(message.body) ? message.body : {};
    const policy = this.ingest.lifecycle;
    const changedAt = normalizeTimestamp(lookupProperty(message.properties, 'operationTimestamp')) ?? message.enqueuedTime;
    for (const twin of resolution.twins) {
      // null: the twin does not exist; a string: it does; undefined: not known here (the writer finds out).
      const model = lookups.twinModel(twin);
      if (operation === 'delete') {
        if (model === null)
          result.filter({
            reason: 'twin-already-gone',
            detail: `twin ${twin.twinId} does not exist: nothing to retire`,
            twinId: twin.twinId,
          });
        else if (policy.onDelete === 'keep')
          result.filter({
            reason: 'twin-kept',
            detail: `device deleted; twin ${twin.twinId} kept (ingest.lifecycle.onDelete: keep)`,
            twinId: twin.twinId,
          });
        else if (policy.onDelete === 'decommission') this.decommission(result, twin, changedAt);
        else result.addLifecycle({ kind: 'delete', twinId: twin.twinId, eventKey: message.eventKey });
        continue;
      }
      // Without a parent to relate there is nothing to do; with one, the writer makes sure the relationship exists.
      if (typeof model === 'string' && !policy.parent) {
        result.filter({ reason: 'twin-exists', detail: `twin ${twin.twinId} exists already (model ${model})`, twinId: twin.twinId });
        continue;
      }
      const modelId =
        (typeof model === 'string' ? model : undefined) ??
        this.configuredModel(message.deviceId, body) ??
        message.modelId ??
        modelIdOf(body);
      if (modelId === undefined) {
        result.filter({
          reason: 'no-model-for-device',
          detail: `the created device twin names no modelId (and no ingest.lifecycle.models entry matches); twin ${twin.twinId} is created when the device announces its model`,
          twinId: twin.twinId,
        });
        continue;
      }
      const action: LifecycleAction = { kind: 'create', twinId: twin.twinId, modelId, eventKey: message.eventKey };
      const properties: Record<string, unknown> = {};
      for (const { property, source } of policy.initialProperties) {
        const value = source.read(message);
        if (value !== undefined && value !== null) properties[property] = value;
      }
      if (Object.keys(properties).length > 0) action.properties = properties;
      if (policy.parent) {
        const parentId = policy.parent.twinId.render(message);
        if (parentId === undefined)
          result.reject({
            reason: 'twin-id-unresolved',
            detail: `ingest.lifecycle.parent.twinId ${policy.parent.twinId.text} has no value for this device twin; twin ${twin.twinId} is created without a parent`,
            where: 'ingest.lifecycle.parent',
            twinId: twin.twinId,
          });
        else action.parent = { twinId: parentId, relationship: policy.parent.relationship };
      }
      result.addLifecycle(action);
      // Only a model ADT has makes a twin; the writer filters the rest (no-model-for-device).
      if (lookups.sources.models === undefined || lookups.sources.models(modelId) !== undefined) lookups.noteCreated(twin.twinId, modelId);
    }
    return result.finish();
  }

  /** ingest.lifecycle.models: the first entry whose device id pattern and tags match. */
  private configuredModel(deviceId: string, body: Record<string, unknown>): string | undefined {
    const tags = isJsonObject(body.tags) ? body.tags : {};
    for (const entry of this.ingest.lifecycle.models) {
      if (entry.deviceId && !entry.deviceId(deviceId)) continue;
      if (!entry.tags.every(({ name, value }) => Object.prototype.hasOwnProperty.call(tags, name) && String(tags[name]) === value))
        continue;
      return entry.modelId;
    }
    return undefined;
  }

  /** onDelete: decommission — the configured values, checked against the twin's model as any value is. */
  private decommission(result: ResultBuilder, twin: ResolvedTwin, changedAt: string): void {
    const where = 'ingest.lifecycle.decommission';
    const known = result.interfaceOf(twin);
    for (const [property, value] of Object.entries(this.ingest.lifecycle.decommission)) {
      const fit = targetFit(known, twin.twinId, result.lookups.sources.models, undefined, property);
      if (isRefusal(fit)) result.reject({ ...fit, where });
      else
        addValue(result, {
          twinId: twin.twinId,
          component: undefined,
          property,
          value,
          sourceTime: changedAt,
          rule: LIFECYCLE_RULE,
          where,
          schema: fit.schema,
        });
    }
  }
}
