// ModelRegistry against Microsoft's real DTDL parser (worker thread), without the HTTP layer.
import { AdtError } from '../../../local/emulator/errors';
import { ModelRegistry } from '../../../local/emulator/models/modelRegistry';
import { allModels, building, deviceInfo, meeting, room, space, thermostat } from '../../unit/dtdl/fixtures';

async function adtErrorOf(action: () => unknown): Promise<AdtError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof AdtError) return error;
    throw error;
  }
  throw new Error('expected an AdtError, but the call succeeded');
}

describe('ModelRegistry', () => {
  const registry = new ModelRegistry();
  afterAll(() => registry.close());
  beforeEach(() => registry.clear());

  it('stores valid models and returns ADT model data', async () => {
    const created = await registry.add(allModels);
    expect(created.map((m) => m.id)).toEqual(allModels.map((m) => m['@id']));
    expect(created[0]).toEqual({
      id: space['@id'],
      description: {},
      displayName: { en: 'Space' },
      decommissioned: false,
      uploadTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}\+00:00$/),
    });
    expect(registry.get(room['@id']).displayName).toEqual({ en: 'Room', nl: 'Kamer' });
    expect(registry.get(room['@id'])).not.toHaveProperty('model');
    expect(registry.get(room['@id'], true).model).toEqual(room);
  });

  it('resolves references against models uploaded earlier', async () => {
    await registry.add([space]);
    await registry.add([room, building]);
    await registry.add([meeting]);
    expect(registry.isOfModel(meeting['@id'], space['@id'])).toBe(true);
    expect(registry.interfaceOf(meeting['@id'])?.extendsChain).toEqual([room['@id'], space['@id']]);
  });

  it('rejects an empty or non-array body with the verbatim InvalidArgument', async () => {
    for (const body of [[], {}, 'x', [42]]) {
      const error = await adtErrorOf(() => registry.add(body));
      expect([error.status, error.code]).toEqual([400, 'InvalidArgument']);
      expect(error.message).toMatch(/^Operation failed as models provided was empty or of a type that is not supported\.\./);
    }
  });

  it('refuses more than 250 models in one request', async () => {
    const many = Array.from({ length: 251 }, (_, i) => ({
      '@context': 'dtmi:dtdl:context;2',
      '@id': `dtmi:x:M${i};1`,
      '@type': 'Interface',
    }));
    const error = await adtErrorOf(() => registry.add(many));
    expect([error.status, error.code]).toEqual([400, 'LimitExceeded']);
    expect(registry.list()).toEqual([]);
  });

  it('answers 409 ModelIdAlreadyExists naming the existing ids and stores nothing new', async () => {
    await registry.add([space]);
    const error = await adtErrorOf(() => registry.add([building, space]));
    expect([error.status, error.code]).toEqual([409, 'ModelIdAlreadyExists']);
    expect(error.message).toContain(`Some of the model ids already exist: ${space['@id']}.`);
    expect(registry.has(building['@id'])).toBe(false);
  });

  it('turns parser errors into DTDLParserError with the parser explanation (all or nothing)', async () => {
    const noId = await adtErrorOf(() => registry.add([space, { '@context': 'dtmi:dtdl:context;2', '@type': 'Interface' }]));
    expect([noId.status, noId.code]).toEqual([400, 'DTDLParserError']);
    expect(noId.message).toMatch(
      /^None of the models in this request could be created due to a problem with one or more models: Top-level element has no '@id' property\./,
    );
    expect(registry.has(space['@id'])).toBe(false);

    const badSchema = {
      '@context': 'dtmi:dtdl:context;2',
      '@id': 'dtmi:x:Bad;1',
      '@type': 'Interface',
      contents: [{ '@type': 'Component', name: 'Component1', schema: 'XXX' }],
    };
    const bad = await adtErrorOf(() => registry.add([badSchema]));
    expect(bad.message).toContain(
      "dtmi:x:Bad;1 has 'contents' value with name 'Component1' whose property 'schema' has value 'XXX' that is neither a valid DTMI reference nor a DTDL v2 term.",
    );
    expect(bad.message).toContain(' | ');

    const unresolved = await adtErrorOf(() => registry.add([meeting]));
    expect(unresolved.code).toBe('DTDLParserError');
    expect(unresolved.message).toContain(`reference ${room['@id']}, which is neither in this request nor already uploaded`);
  });

  it('lists dependencies first for dependenciesFor and 404s unknown ids', async () => {
    await registry.add(allModels);
    expect(registry.list({ dependenciesFor: [meeting['@id']] }).map((m) => m.id)).toEqual([space['@id'], room['@id'], meeting['@id']]);
    expect(registry.list({ dependenciesFor: [thermostat['@id'], building['@id']] }).map((m) => m.id)).toEqual([
      deviceInfo['@id'],
      thermostat['@id'],
      space['@id'],
      building['@id'],
    ]);
    const listed = registry.list({ includeModelDefinition: true });
    expect(listed).toHaveLength(allModels.length);
    expect(listed[5]?.model).toEqual(thermostat);
    const error = await adtErrorOf(() => registry.list({ dependenciesFor: ['dtmi:x:Nope;1'] }));
    expect([error.status, error.code]).toEqual([404, 'ModelNotFound']);
  });

  it('decommissions idempotently and deletes only unreferenced models', async () => {
    await registry.add([space, room]);
    registry.decommission(space['@id']);
    registry.decommission(space['@id']);
    expect(registry.isDecommissioned(space['@id'])).toBe(true);
    expect(registry.get(space['@id']).decommissioned).toBe(true);

    const referenced = await adtErrorOf(() => registry.delete(space['@id']));
    expect([referenced.status, referenced.code]).toEqual([409, 'ModelReferencesNotDeleted']);
    expect(referenced.message).toContain(`referenced by ${room['@id']}.`);
    registry.delete(room['@id']);
    registry.delete(space['@id']);
    expect(registry.list()).toEqual([]);
    const missing = await adtErrorOf(() => registry.delete(space['@id']));
    expect([missing.status, missing.code]).toEqual([404, 'ModelNotFound']);
    expect((await adtErrorOf(() => registry.decommission('dtmi:x:Nope;1'))).code).toBe('ModelNotFound');
  });

  it('validates twins and relationships through the shared index', async () => {
    await registry.add(allModels);
    expect(
      registry.validateTwin({ $metadata: { $model: thermostat['@id'] }, targetTemperature: 20, deviceInfo: { $metadata: {} } }),
    ).toEqual([]);
    expect(
      registry.validateTwin({ $metadata: { $model: thermostat['@id'] }, targetTemperature: 'warm', deviceInfo: { $metadata: {} } }),
    ).toEqual(['/targetTemperature: expected double but got string "warm"']);
    expect(registry.validateTwin({ $metadata: { $model: 'dtmi:x:Nope;1' } })).toEqual([
      'dtmi:x:Nope;1 or one of its dependencies does not exist.',
    ]);
    expect(registry.validateRelationship(room['@id'], 'hasThermostat', thermostat['@id'], {})).toEqual([]);
    expect(registry.validateRelationship(room['@id'], 'hasThermostat', room['@id'], {})).toHaveLength(1);
  });

  it('round-trips through export/import and survives close (a new worker starts on demand)', async () => {
    await registry.add([space, room]);
    registry.decommission(room['@id']);
    const saved = JSON.parse(JSON.stringify(registry.export())) as unknown;
    await registry.close();

    const restored = new ModelRegistry();
    try {
      restored.import(saved);
      expect(restored.get(room['@id'], true)).toEqual(registry.get(room['@id'], true));
      expect(restored.isDecommissioned(room['@id'])).toBe(true);
      expect(restored.isOfModel(room['@id'], space['@id'])).toBe(true);
      await restored.add([meeting]);
      expect(restored.has(meeting['@id'])).toBe(true);
      expect(() => restored.import({ version: 1, models: [{ id: 'x' }] })).toThrow(/entry 0 is not a stored model/);
    } finally {
      await restored.close();
    }
    await registry.add([building]);
    expect(registry.has(building['@id'])).toBe(true);
  });

  it('serialises concurrent uploads so the same id cannot be stored twice', async () => {
    const results = await Promise.allSettled([registry.add([space]), registry.add([space])]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect((rejected?.reason as AdtError).code).toBe('ModelIdAlreadyExists');
  });
});
