// Device lifecycle events at mapping: what a create and a delete decide with zero configuration
// (create with the device twin's modelId, else no-model-for-device; a twin that exists or is gone is
// filtered) and with ingest.lifecycle (keep, a decommission patch checked against the model).
import { parsePipelineConfig } from '../../../../shared/config/load';
import type { InterfaceView, PropertyDef, Schema } from '../../../../shared/dtdl/types';
import { mapMessage } from '../../../../shared/ingest/map/mapperChain';
import type { DeviceMessage } from '../../../../shared/ingest/message/deviceMessage';

const event = (opType: string, body: Record<string, unknown> = {}, extra: Partial<DeviceMessage> = {}): DeviceMessage => ({
  eventKey: 'seq:1',
  deviceId: 'dev-1',
  enqueuedTime: '2024-01-01T00:10:00.000Z',
  properties: { opType, operationTimestamp: '2024-01-01T00:09:59.000Z' },
  systemProperties: {},
  body,
  source: { kind: 'deviceLifecycleEvents', name: 'deviceLifecycleEvents', opType },
  ...extra,
});
const config = (yaml: string) => parsePipelineConfig(yaml, 'test.yaml');
const prop = (name: string, schema: Schema): PropertyDef => ({ name, schema, writable: false, semanticTypes: [], definedIn: 'x' });
const device: InterfaceView = {
  id: 'dtmi:x:Device;1',
  displayName: {},
  description: {},
  extendsChain: [],
  properties: new Map([['status', prop('status', { kind: 'primitive', name: 'string' } as Schema)]]),
  telemetry: new Map(),
  components: new Map(),
  relationships: new Map(),
  commands: new Set(),
};
const models = (id: string) => (id === device.id ? device : undefined);
const existing = { models, twinModel: async () => device.id };
const missing = { models, twinModel: async () => null };

describe('zero configuration', () => {
  it('creates a missing twin with the model its device twin names (the body, or the decoded modelId)', async () => {
    expect((await mapMessage(event('createDeviceIdentity', { modelId: device.id }), config('{}'), missing)).lifecycle).toEqual([
      { kind: 'create', twinId: 'dev-1', modelId: device.id, eventKey: 'seq:1' },
    ]);
    expect((await mapMessage(event('createModuleIdentity', {}, { modelId: device.id }), config('{}'), missing)).lifecycle).toEqual([
      expect.objectContaining({ kind: 'create' }),
    ]);
  });

  it('filters a create without a model, and a create of a twin that exists', async () => {
    expect((await mapMessage(event('createDeviceIdentity'), config('{}'), missing)).filtered.map((f) => f.reason)).toEqual([
      'no-model-for-device',
    ]);
    const exists = await mapMessage(event('createDeviceIdentity', { modelId: device.id }), config('{}'), existing);
    expect(exists.filtered.map((f) => f.reason)).toEqual(['twin-exists']);
    expect(exists.lifecycle).toBeUndefined();
  });

  it('retires an existing twin and filters the delete of one already gone', async () => {
    expect((await mapMessage(event('deleteDeviceIdentity'), config('{}'), existing)).lifecycle).toEqual([
      { kind: 'delete', twinId: 'dev-1', eventKey: 'seq:1' },
    ]);
    expect((await mapMessage(event('deleteDeviceIdentity'), config('{}'), missing)).filtered.map((f) => f.reason)).toEqual([
      'twin-already-gone',
    ]);
  });

  it('dead-letters an unknown opType; ignore filters the kind', async () => {
    expect((await mapMessage(event('renameDevice'), config('{}'), existing)).rejected.map((r) => r.reason)).toEqual(['unknown-operation']);
    // The opType is the sender's text: a name every object inherits is no operation.
    for (const inherited of ['constructor', 'toString', '__proto__'])
      expect((await mapMessage(event(inherited), config('{}'), existing)).rejected.map((r) => r.reason)).toEqual(['unknown-operation']);
    expect(
      (await mapMessage(event('deleteDeviceIdentity'), config('ingest:\n  lifecycle: { action: ignore }\n'), existing)).filtered.map(
        (f) => f.reason,
      ),
    ).toEqual(['source-not-handled']);
  });
});

describe('ingest.lifecycle.onDelete', () => {
  it('keep: the twin stays (twin-kept)', async () => {
    const result = await mapMessage(event('deleteDeviceIdentity'), config('ingest:\n  lifecycle: { onDelete: keep }\n'), existing);
    expect(result.lifecycle).toBeUndefined();
    expect(result.filtered.map((f) => f.reason)).toEqual(['twin-kept']);
  });

  it('decommission: writes the configured values with the operationTimestamp, checked against the model', async () => {
    const result = await mapMessage(
      event('deleteDeviceIdentity'),
      config('ingest:\n  lifecycle: { onDelete: decommission, decommission: { status: retired } }\n'),
      existing,
    );
    expect(result.lifecycle).toBeUndefined();
    expect(result.propertyUpdates.map((u) => [u.property, u.value, u.sourceTime])).toEqual([
      ['status', 'retired', '2024-01-01T00:09:59.000Z'],
    ]);
    const misfit = await mapMessage(
      event('deleteDeviceIdentity'),
      config('ingest:\n  lifecycle: { onDelete: decommission, decommission: { retired: true } }\n'),
      existing,
    );
    expect(misfit.rejected.map((r) => [r.reason, r.where])).toEqual([['not-in-model', 'ingest.lifecycle.decommission']]);
  });

  it('refuses decommission without values, and values without decommission', () => {
    expect(() => config('ingest:\n  lifecycle: { onDelete: decommission }\n')).toThrow(/decommission.*required/);
    expect(() => config('ingest:\n  lifecycle: { decommission: { status: retired } }\n')).toThrow(
      /only applies together with onDelete: decommission/,
    );
  });
});

describe('ingest.lifecycle create options', () => {
  const cfg = config(`ingest:
  lifecycle:
    models:
      - { deviceId: "probe-*", tags: { kind: thermo }, modelId: "dtmi:x:Device;1" }
      - { tags: { kind: meter }, modelId: "dtmi:x:Meter;1" }
    initialProperties: { status: tags.label, firmware: properties.reported.fw }
    parent: { twinId: "{body.tags.roomId}", relationship: hasDevice }
`);
  const created = (deviceId: string, body: Record<string, unknown>) => ({ ...event('createDeviceIdentity', body), deviceId });

  it("takes the model of the first entry whose device id pattern and tags match, before the device twin's own", async () => {
    const byTag = await mapMessage(created('any-1', { tags: { kind: 'meter', roomId: 'r' }, modelId: device.id }), cfg, missing);
    expect(byTag.lifecycle?.[0]).toMatchObject({ modelId: 'dtmi:x:Meter;1' });
    const both = await mapMessage(created('probe-7', { tags: { kind: 'thermo', roomId: 'r' } }), cfg, missing);
    expect(both.lifecycle?.[0]).toMatchObject({ modelId: 'dtmi:x:Device;1' });
    const patternOnly = await mapMessage(created('probe-7', { tags: { kind: 'other', roomId: 'r' } }), cfg, missing);
    expect(patternOnly.filtered.map((f) => f.reason)).toEqual(['no-model-for-device']);
  });

  it('carries initial values from tags and reported properties, and the parent the template names', async () => {
    const result = await mapMessage(
      created('any-1', { modelId: device.id, tags: { label: 'Lab probe', roomId: 'room-9' }, properties: { reported: { fw: '1.2' } } }),
      cfg,
      missing,
    );
    expect(result.lifecycle).toEqual([
      {
        kind: 'create',
        twinId: 'any-1',
        modelId: device.id,
        eventKey: 'seq:1',
        properties: { status: 'Lab probe', firmware: '1.2' },
        parent: { twinId: 'room-9', relationship: 'hasDevice' },
      },
    ]);
  });

  it('creates without a parent when the template has no value, and says so (twin-id-unresolved)', async () => {
    const result = await mapMessage(created('any-1', { modelId: device.id }), cfg, missing);
    expect(result.lifecycle?.[0]?.kind).toBe('create');
    expect(result.lifecycle?.[0]).not.toHaveProperty('parent');
    expect(result.rejected.map((r) => [r.reason, r.where])).toEqual([['twin-id-unresolved', 'ingest.lifecycle.parent']]);
  });

  it('with a parent, an existing twin still gets the relationship (a redelivered create completes it)', async () => {
    const result = await mapMessage(created('any-1', { tags: { roomId: 'room-9' } }), cfg, existing);
    expect(result.lifecycle).toEqual([
      expect.objectContaining({ kind: 'create', modelId: device.id, parent: { twinId: 'room-9', relationship: 'hasDevice' } }),
    ]);
  });

  it('refuses a parent template or source that does not compile', () => {
    expect(() => config('ingest:\n  lifecycle:\n    parent: { twinId: "{nope.x}", relationship: hasDevice }\n')).toThrow(
      /ingest.lifecycle.parent.twinId/,
    );
    expect(() => config('ingest:\n  lifecycle:\n    models: [{ modelId: "not-a-dtmi" }]\n')).toThrow(/modelId/);
  });
});

describe('module events', () => {
  const moduleEvent = (opType: string) => event(opType, { modelId: device.id }, { moduleId: 'm1' });

  it("with a twin id that does not name the module, never touch the device's twin", async () => {
    for (const op of ['deleteDeviceIdentity', 'createModuleIdentity']) {
      const result = await mapMessage(moduleEvent(op), config('{}'), existing);
      expect(result.lifecycle).toBeUndefined();
      expect(result.filtered).toEqual([
        expect.objectContaining({ reason: 'source-not-handled', detail: expect.stringContaining('module m1 on device dev-1') }),
      ]);
    }
  });

  it("with {moduleId} in the twin id, address the module's twin", async () => {
    const result = await mapMessage(moduleEvent('createModuleIdentity'), config('ingest:\n  twinId: "{deviceId}-{moduleId}"\n'), missing);
    expect(result.lifecycle).toEqual([expect.objectContaining({ kind: 'create', twinId: 'dev-1-m1' })]);
  });
});
