import { buildModelIndex } from '../../../shared/dtdl';
import { allModels, building, deviceInfo, meeting, room, space, thermostat } from './fixtures';

describe('buildModelIndex', () => {
  const index = buildModelIndex(allModels);

  it('indexes every top-level interface in upload order', () => {
    expect(index.ids()).toEqual(allModels.map((m) => m['@id']));
    expect(index.problems).toEqual([]);
    expect(index.has('dtmi:com:contoso:Nope;1')).toBe(false);
    expect(index.interface('dtmi:com:contoso:Nope;1')).toBeUndefined();
  });

  it('resolves extends transitively, single or array, nearest ancestor first', () => {
    expect(index.interface(meeting['@id'])?.extendsChain).toEqual([room['@id'], space['@id']]);
    expect(index.interface(building['@id'])?.extendsChain).toEqual([space['@id']]);
    const view = index.interface(meeting['@id']);
    expect([...(view?.properties.keys() ?? [])].sort()).toEqual(['name', 'occupancy', 'seats']);
    expect(view?.properties.get('name')?.definedIn).toBe(space['@id']);
    expect([...(view?.relationships.keys() ?? [])].sort()).toEqual(['contains', 'hasThermostat']);
  });

  it('isOfModel follows inheritance unless exact', () => {
    expect(index.isOfModel(meeting['@id'], space['@id'])).toBe(true);
    expect(index.isOfModel(meeting['@id'], space['@id'], true)).toBe(false);
    expect(index.isOfModel(meeting['@id'], meeting['@id'], true)).toBe(true);
    expect(index.isOfModel(space['@id'], room['@id'])).toBe(false);
    expect(index.isOfModel('dtmi:com:contoso:Unknown;1', space['@id'])).toBe(false);
  });

  it('keeps semantic types, units, writable and telemetry apart from properties', () => {
    const view = index.interface(thermostat['@id']);
    expect(view?.properties.get('targetTemperature')).toMatchObject({
      schema: { kind: 'primitive', name: 'double' },
      writable: true,
      semanticTypes: ['Temperature'],
      unit: 'degreeCelsius',
    });
    expect(view?.properties.get('lastMaintenance')?.writable).toBe(false);
    expect(view?.telemetry.get('temperature')).toMatchObject({ schema: { kind: 'primitive', name: 'double' }, unit: 'degreeCelsius' });
    expect(view?.properties.has('temperature')).toBe(false);
    expect(view?.commands.has('reboot')).toBe(true);
    expect(view?.displayName).toEqual({ en: 'Thermostat' });
  });

  it('resolves components and reusable schemas defined by @id in another interface', () => {
    const view = index.interface(thermostat['@id']);
    expect(view?.components.get('deviceInfo')?.interfaceId).toBe(deviceInfo['@id']);
    const firmware = index.interface(deviceInfo['@id'])?.properties.get('firmware')?.schema;
    expect(firmware).toEqual({
      kind: 'object',
      fields: [
        { name: 'major', schema: { kind: 'primitive', name: 'integer' } },
        { name: 'minor', schema: { kind: 'primitive', name: 'integer' } },
        {
          name: 'channel',
          schema: {
            kind: 'enum',
            valueSchema: 'integer',
            values: [
              { name: 'stable', value: 1 },
              { name: 'beta', value: 2 },
            ],
          },
        },
      ],
    });
  });

  it('describes relationships with target, multiplicity and typed properties', () => {
    const contains = index.interface(room['@id'])?.relationships.get('contains');
    expect(contains?.target).toBe(space['@id']);
    expect(contains?.properties.get('since')?.schema).toEqual({ kind: 'primitive', name: 'date' });
    expect(index.interface(room['@id'])?.relationships.get('hasThermostat')?.maxMultiplicity).toBe(1);
  });

  it('lists direct dependencies (extends, component schemas) but not relationship targets', () => {
    expect(index.dependenciesOf(meeting['@id'])).toEqual([room['@id']]);
    expect(index.dependenciesOf(thermostat['@id'])).toEqual([deviceInfo['@id']]);
    expect(index.dependenciesOf(room['@id'])).toEqual([space['@id']]);
    expect(index.dependenciesOf(space['@id'])).toEqual([]);
  });

  it('reports missing references, including those of ancestors', () => {
    const partial = buildModelIndex([room, meeting, thermostat]);
    expect(partial.missingReferences(meeting['@id'])).toEqual([space['@id']]);
    expect(partial.missingReferences(thermostat['@id'])).toEqual([deviceInfo['@id']]);
    expect(index.missingReferences(meeting['@id'])).toEqual([]);
  });

  it('indexes inline component interfaces and accepts a file holding an array of interfaces', () => {
    const inline = {
      '@context': 'dtmi:dtdl:context;2',
      '@id': 'dtmi:x:Pump;1',
      '@type': 'Interface',
      contents: [
        {
          '@type': 'Component',
          name: 'motor',
          schema: { '@type': 'Interface', '@id': 'dtmi:x:Motor;1', contents: [{ '@type': 'Property', name: 'rpm', schema: 'long' }] },
        },
        {
          '@type': 'Component',
          name: 'seal',
          schema: { '@type': 'Interface', contents: [{ '@type': 'Property', name: 'worn', schema: 'boolean' }] },
        },
      ],
    };
    const idx = buildModelIndex([[inline]]);
    const pump = idx.interface('dtmi:x:Pump;1');
    expect(pump?.components.get('motor')?.interfaceId).toBe('dtmi:x:Motor;1');
    expect(idx.interface('dtmi:x:Motor;1')?.properties.get('rpm')?.schema).toEqual({ kind: 'primitive', name: 'long' });
    const sealId = pump?.components.get('seal')?.interfaceId ?? '';
    expect(idx.interface(sealId)?.properties.has('worn')).toBe(true);
    expect(idx.dependenciesOf('dtmi:x:Pump;1')).toEqual([]);
  });

  it('records duplicate and id-less documents as problems instead of throwing', () => {
    const idx = buildModelIndex([space, space, { '@type': 'Interface' }, 42]);
    expect(idx.ids()).toEqual([space['@id']]);
    expect(idx.problems).toHaveLength(3);
    expect(idx.problems[0]).toContain('defined more than once');
  });
});
