import type { Schema } from '../../../shared/dtdl';
import { validateValue } from '../../../shared/dtdl';

const primitive = (name: Extract<Schema, { kind: 'primitive' }>['name']): Schema => ({ kind: 'primitive', name });

describe('validateValue', () => {
  it('names the path, the expected type and the offending value', () => {
    expect(validateValue(primitive('double'), 'hot', '/temperature')).toEqual(['/temperature: expected double but got string "hot"']);
    expect(validateValue(primitive('boolean'), null, '/on')).toEqual(['/on: expected boolean but got null']);
  });

  it.each<[Extract<Schema, { kind: 'primitive' }>['name'], unknown[], unknown[]]>([
    ['boolean', [true, false], ['true', 0]],
    ['double', [1, -2.5, 0], ['1', true]],
    ['float', [3.5, 1e38], [1e39]],
    ['integer', [0, 2147483647, -2147483648], [1.5, 2147483648, '3']],
    ['long', [9007199254740991, -5], [0.1]],
    ['short', [32767], [32768]],
    ['byte', [-128], [128]],
    ['unsignedByte', [255, 0], [-1, 256]],
    ['unsignedShort', [65535], [65536]],
    ['unsignedInteger', [4294967295], [-1]],
    ['unsignedLong', [12], [-12]],
    ['decimal', [1.25, '123456789012345678901234.5'], ['1,5', 'abc']],
    ['string', ['', 'x'], [1, null]],
    ['date', ['2024-02-29'], ['2023-02-29', '2024-2-1', '2024-02-29T00:00:00Z']],
    ['dateTime', ['2024-05-01T10:20:30Z', '2024-05-01T10:20:30.1234567+02:00'], ['2024-05-01T10:20:30', '2024-05-01', 'yesterday']],
    ['time', ['10:20:30', '23:59:59.5Z'], ['24:00:00', '10:20']],
    ['duration', ['PT5M', 'P1DT2H', 'P3W', 'PT0.5S'], ['P', 'PT', '5 minutes', 'P1H']],
    ['uuid', ['3f2504e0-4f89-11d3-9a0c-0305e82c3301'], ['3f2504e0']],
    ['bytes', ['aGVsbG8=', ''], ['not base64!']],
  ])('%s accepts valid and rejects invalid values', (name, good, bad) => {
    for (const value of good) expect(validateValue(primitive(name), value, '/p')).toEqual([]);
    for (const value of bad) expect(validateValue(primitive(name), value, '/p')).toHaveLength(1);
  });

  it('checks enums by value and lists the allowed values', () => {
    const schema: Schema = {
      kind: 'enum',
      valueSchema: 'string',
      values: [
        { name: 'on', value: 'on' },
        { name: 'off', value: 'off' },
      ],
    };
    expect(validateValue(schema, 'on', '/mode')).toEqual([]);
    expect(validateValue(schema, 'auto', '/mode')).toEqual(['/mode: expected one of "on", "off" (Enum<string>) but got string "auto"']);
  });

  it('checks object fields recursively, reports unknown fields and allows partial objects', () => {
    const schema: Schema = {
      kind: 'object',
      fields: [
        { name: 'street', schema: primitive('string') },
        { name: 'geo', schema: { kind: 'object', fields: [{ name: 'lat', schema: primitive('double') }] } },
      ],
    };
    expect(validateValue(schema, { street: 'Main' }, '/address')).toEqual([]);
    expect(validateValue(schema, { geo: { lat: 'north' }, zip: 1 }, '/address')).toEqual([
      '/address/geo/lat: expected double but got string "north"',
      '/address/zip: not a field of this Object schema (fields: street, geo)',
    ]);
    expect(validateValue(schema, [1], '/address')).toEqual(['/address: expected Object but got array']);
  });

  it('checks map values and array elements with their key or index in the path', () => {
    const map: Schema = { kind: 'map', keyName: 'slot', valueName: 'c', value: primitive('double') };
    expect(validateValue(map, { morning: 20, evening: 'warm' }, '/setpoints')).toEqual([
      '/setpoints/evening: expected double but got string "warm"',
    ]);
    const array: Schema = { kind: 'array', element: primitive('integer') };
    expect(validateValue(array, [1, 2, 3.5], '/counts')).toEqual(['/counts/2: expected integer but got number 3.5']);
    expect(validateValue(array, 'x', '/counts')).toEqual(['/counts: expected Array but got string "x"']);
  });

  it('accepts GeoJSON shapes for geospatial schemas', () => {
    expect(validateValue({ kind: 'geospatial', name: 'point' }, { type: 'Point', coordinates: [4.9, 52.37] })).toEqual([]);
    expect(
      validateValue(
        { kind: 'geospatial', name: 'lineString' },
        {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        },
      ),
    ).toEqual([]);
    expect(
      validateValue(
        { kind: 'geospatial', name: 'polygon' },
        {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [0, 1],
              [0, 0],
            ],
          ],
        },
      ),
    ).toEqual([]);
    expect(validateValue({ kind: 'geospatial', name: 'point' }, { type: 'Point', coordinates: [[0, 0]] }, '/loc')).toHaveLength(1);
    expect(validateValue({ kind: 'geospatial', name: 'point' }, { type: 'LineString', coordinates: [0, 0] }, '/loc')).toHaveLength(1);
  });

  it('never accepts a value for a schema nobody defined', () => {
    expect(validateValue({ kind: 'unresolved', ref: 'dtmi:x:Missing;1' }, 1, '/p')).toEqual([
      '/p: schema dtmi:x:Missing;1 is not defined by any uploaded model, so no value can be checked against it',
    ]);
  });
});
