// Device lifecycle events at mapping: what a create and a delete decide with zero configuration
// (create with the device twin's modelId, else no-model-for-device; a twin that exists or is gone is
// filtered) and with ingest.lifecycle (keep, a decommission patch checked against the model).
import { parsePipelineConfig } from '../../../../shared/config/load';
import type { InterfaceView, PropertyDef, Schema } from '../../../../shared/dtdl/types';
import { mapMessage } from '../../../../shared/ingest/map/mapperChain';
import type { DeviceMessage } from '../../../../shared/ingest/message/deviceMessage';

const event = (opType: string, body: Record<string, unknown> = {}, extra: Partial<DeviceMessage> = {}): DeviceMessage => ({
  eventKey: 'seq:1', deviceId: 'dev-1', enqueuedTime: '2024-01-01T00:10:00.000Z',
  properties: { opType, operationTimestamp: '2024-01-01T00:09:59.000Z' }, systemProperties: {}, body,
  source: { kind: 'deviceLifecycleEvents', name: 'deviceLifecycleEvents', opType }, ...extra,
});
const config = (yaml: string) => parsePipelineConfig(yaml, 'test.yaml');
const prop = (name: string, schema: Schema): PropertyDef => ({ name, schema, writable: false, semanticTypes: [], definedIn: 'x' });
const device: InterfaceView = {
  id: 'dtmi:x:Device;1', displayName: {}, description: {}, extendsChain: [], properties: new Map([['status', prop('status', { kind: 'primitive', name: 'string' } as Schema)]]),
  telemetry: new Map(), components: new Map(), relationships: new Map(), commands: new Set(),
};
const models = (id: string) => (id === device.id ? device : undefined);
const existing = { models, twinModel: async () => device.id };
const missing = { models, twinModel: async () => null };

describe('zero configuration', () => {
  it('creates a missing twin with the model its device twin names (the body, or the decoded modelId)', async () => {
    expect((await mapMessage(event('createDeviceIdentity', { modelId: device.id }), config('{}'), missing)).lifecycle).toEqual([{ kind: 'create', twinId: 'dev-1', modelId: device.id, eventKey: 'seq:1' }]);
    expect((await mapMessage(event('createModuleIdentity', {}, { modelId: device.id }), config('{}'), missing)).lifecycle).toEqual([expect.objectContaining({ kind: 'create' })]);
  });

  it('filters a create without a model, and a create of a twin that exists', async () => {
    expect((await mapMessage(event('createDeviceIdentity'), config('{}'), missing)).filtered.map((f) => f.reason)).toEqual(['no-model-for-device']);
    const exists = await mapMessage(event('createDeviceIdentity', { modelId: device.id }), config('{}'), existing);
    expect(exists.filtered.map((f) => f.reason)).toEqual(['twin-exists']);
    expect(exists.lifecycle).toBeUndefined();
  });

  it('retires an existing twin and filters the delete of one already gone', async () => {
    expect((await mapMessage(event('deleteDeviceIdentity'), config('{}'), existing)).lifecycle).toEqual([{ kind: 'delete', twinId: 'dev-1', eventKey: 'seq:1' }]);
    expect((await mapMessage(event('deleteDeviceIdentity'), config('{}'), missing)).filtered.map((f) => f.reason)).toEqual(['twin-already-gone']);
  });

  it('dead-letters an unknown opType; ignore filters the kind', async () => {
    expect((await mapMessage(event('renameDevice'), config('{}'), existing)).rejected.map((r) => r.reason)).toEqual(['unknown-operation']);
    expect((await mapMessage(event('deleteDeviceIdentity'), config('ingest:\n  lifecycle: { action: ignore }\n'), existing)).filtered.map((f) => f.reason)).toEqual(['source-not-handled']);
  });
});

describe('ingest.lifecycle.onDelete', () => {
  it('keep: the twin stays (twin-kept)', async () => {
    const result = await mapMessage(event('deleteDeviceIdentity'), config('ingest:\n  lifecycle: { onDelete: keep }\n'), existing);
    expect(result.lifecycle).toBeUndefined();
    expect(result.filtered.map((f) => f.reason)).toEqual(['twin-kept']);
  });

  it('decommission: writes the configured values with the operationTimestamp, checked against the model', async () => {
    const result = await mapMessage(event('deleteDeviceIdentity'), config('ingest:\n  lifecycle: { onDelete: decommission, decommission: { status: retired } }\n'), existing);
    expect(result.lifecycle).toBeUndefined();
    expect(result.propertyUpdates.map((u) => [u.property, u.value, u.sourceTime])).toEqual([['status', 'retired', '2024-01-01T00:09:59.000Z']]);
    const misfit = await mapMessage(event('deleteDeviceIdentity'), config('ingest:\n  lifecycle: { onDelete: decommission, decommission: { retired: true } }\n'), existing);
    expect(misfit.rejected.map((r) => [r.reason, r.where])).toEqual([['not-in-model', 'ingest.lifecycle.decommission']]);
  });

  it('refuses decommission without values, and values without decommission', () => {
    expect(() => config('ingest:\n  lifecycle: { onDelete: decommission }\n')).toThrow(/decommission.*required/);
    expect(() => config('ingest:\n  lifecycle: { decommission: { status: retired } }\n')).toThrow(/only applies together with onDelete: decommission/);
  });
});
