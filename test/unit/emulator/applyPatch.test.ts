// The pure JSON Patch module: ADT's operation rules, atomicity and $metadata upkeep.
import { AdtError } from '../../../local/emulator/errors';
import { applyRelationshipPatch, applyTwinPatch } from '../../../local/emulator/patch/applyPatch';
import { diffProperties } from '../../../local/emulator/patch/diff';
import { parsePatchDocument } from '../../../local/emulator/patch/parseDocument';
import type { RelationshipDoc, TwinDoc } from '../../../local/emulator/types';

const T0 = '2024-01-01T00:00:00.0000000Z';
const T1 = '2024-01-02T00:00:00.0000000Z';

function twin(): TwinDoc {
  return {
    $dtId: 't',
    $etag: 'W/"e"',
    temp: 1,
    obj: { a: 1 },
    comp: { p: 'x', $metadata: { $lastUpdateTime: T0, p: { lastUpdateTime: T0 } } },
    $metadata: {
      $model: 'dtmi:x:A;1',
      $lastUpdateTime: T0,
      temp: { lastUpdateTime: T0, sourceTime: '2023-01-01T00:00:00Z' },
      obj: { lastUpdateTime: T0 },
    },
  };
}

function failure(run: () => unknown): AdtError {
  try {
    run();
  } catch (error) {
    if (error instanceof AdtError) return error;
    throw error;
  }
  throw new Error('expected an AdtError');
}

describe('parsePatchDocument', () => {
  it('accepts add/replace/remove and normalises op case', () => {
    expect(
      parsePatchDocument([
        { op: 'Replace', path: '/a', value: 1 },
        { op: 'remove', path: '/b', value: 9 },
      ]),
    ).toEqual([
      { op: 'replace', path: '/a', value: 1 },
      { op: 'remove', path: '/b' },
    ]);
  });

  it('rejects documents that are not arrays, missing op, unsupported ops, bad paths and missing values', () => {
    expect(failure(() => parsePatchDocument({ op: 'add' })).code).toBe('JsonPatchInvalid');
    expect(failure(() => parsePatchDocument([{ isAccessRestricted: false }])).message).toMatch(/^Parameter op must not be empty\./);
    expect(failure(() => parsePatchDocument([{ op: 'copy', from: '/a', path: '/b' }])).message).toMatch(
      /^Unsupported operation type copy\./,
    );
    expect(failure(() => parsePatchDocument([{ op: 'add', path: 'a', value: 1 }])).code).toBe('JsonPatchInvalid');
    expect(failure(() => parsePatchDocument([{ op: 'add', path: '/a' }])).message).toContain('value must be provided');
  });
});

describe('applyTwinPatch', () => {
  it('stamps only touched properties and keeps sourceTime when only the value changes', () => {
    const result = applyTwinPatch(twin(), [{ op: 'replace', path: '/temp', value: 2 }], T1);
    expect(result['temp']).toBe(2);
    expect(result.$metadata['temp']).toEqual({ lastUpdateTime: T1, sourceTime: '2023-01-01T00:00:00Z' });
    expect(result.$metadata['obj']).toEqual({ lastUpdateTime: T0 });
    expect(result.$metadata.$lastUpdateTime).toBe(T1);
    expect(Object.keys(result).at(-1)).toBe('$metadata');
  });

  it('add is an upsert and creates metadata for new properties', () => {
    const result = applyTwinPatch(
      twin(),
      [
        { op: 'add', path: '/temp', value: 5 },
        { op: 'add', path: '/name', value: 'n' },
      ],
      T1,
    );
    expect(result['temp']).toBe(5);
    expect(result.$metadata['name']).toEqual({ lastUpdateTime: T1 });
  });

  it('remove drops the value and its metadata entry', () => {
    const result = applyTwinPatch(twin(), [{ op: 'remove', path: '/temp' }], T1);
    expect(result['temp']).toBeUndefined();
    expect(result.$metadata['temp']).toBeUndefined();
  });

  it('replace/remove of a missing property, or a path without parent, names the segment', () => {
    expect(failure(() => applyTwinPatch(twin(), [{ op: 'replace', path: '/nope', value: 1 }], T1)).message).toMatch(
      /^The target location specified by path segment 'nope' was not found\./,
    );
    expect(failure(() => applyTwinPatch(twin(), [{ op: 'add', path: '/missing/x', value: 1 }], T1)).message).toContain("segment 'missing'");
  });

  it('is atomic: the input twin is never mutated, even when a later op fails', () => {
    const input = twin();
    const copy = structuredClone(input);
    failure(() =>
      applyTwinPatch(
        input,
        [
          { op: 'replace', path: '/temp', value: 9 },
          { op: 'remove', path: '/nope' },
        ],
        T1,
      ),
    );
    expect(input).toEqual(copy);
  });

  it('patches object sub-properties and stamps the top-level property', () => {
    const result = applyTwinPatch(twin(), [{ op: 'replace', path: '/obj/a', value: 2 }], T1);
    expect(result['obj']).toEqual({ a: 2 });
    expect(result.$metadata['obj']).toEqual({ lastUpdateTime: T1 });
  });

  it('component properties get component metadata, not twin metadata', () => {
    const result = applyTwinPatch(twin(), [{ op: 'add', path: '/comp/q', value: 3 }], T1);
    const comp = result['comp'] as { q: number; $metadata: Record<string, unknown> };
    expect(comp.q).toBe(3);
    expect(comp.$metadata).toEqual({ $lastUpdateTime: T1, p: { lastUpdateTime: T0 }, q: { lastUpdateTime: T1 } });
    expect(result.$metadata['comp']).toBeUndefined();
  });

  it('sets and removes sourceTime for twin and component properties; rejects non-ISO values', () => {
    const set = applyTwinPatch(
      twin(),
      [
        { op: 'replace', path: '/$metadata/obj/sourceTime', value: '2024-05-01T10:00:00.1234567Z' },
        { op: 'add', path: '/comp/$metadata/p/sourceTime', value: '2024-05-01T10:00:00Z' },
      ],
      T1,
    );
    expect(set.$metadata['obj']).toEqual({ lastUpdateTime: T0, sourceTime: '2024-05-01T10:00:00.1234567Z' });
    expect((set['comp'] as { $metadata: Record<string, unknown> }).$metadata['p']).toEqual({
      lastUpdateTime: T0,
      sourceTime: '2024-05-01T10:00:00Z',
    });
    const removed = applyTwinPatch(twin(), [{ op: 'remove', path: '/$metadata/temp/sourceTime' }], T1);
    expect(removed.$metadata['temp']).toEqual({ lastUpdateTime: T0 });
    expect(failure(() => applyTwinPatch(twin(), [{ op: 'replace', path: '/$metadata/temp/sourceTime', value: 'soon' }], T1)).code).toBe(
      'JsonPatchInvalid',
    );
    expect(
      failure(() => applyTwinPatch(twin(), [{ op: 'replace', path: '/$metadata/ghost/sourceTime', value: T1 }], T1)).message,
    ).toContain("segment 'ghost'");
  });

  it('changes the model through /$metadata/$model and refuses other metadata and system paths', () => {
    expect(applyTwinPatch(twin(), [{ op: 'replace', path: '/$metadata/$model', value: 'dtmi:x:B;1' }], T1).$metadata.$model).toBe(
      'dtmi:x:B;1',
    );
    for (const path of ['/$metadata/$lastUpdateTime', '/$metadata/temp/lastUpdateTime', '/$dtId', '/$etag']) {
      expect(failure(() => applyTwinPatch(twin(), [{ op: 'replace', path, value: 'x' }], T1)).code).toBe('JsonPatchInvalid');
    }
  });

  it('a whole component written by add gets a fresh component $metadata', () => {
    const result = applyTwinPatch(twin(), [{ op: 'add', path: '/comp', value: { $metadata: {}, p: 'y', r: 1 } }], T1);
    expect(result['comp']).toEqual({
      p: 'y',
      r: 1,
      $metadata: { $lastUpdateTime: T1, p: { lastUpdateTime: T1 }, r: { lastUpdateTime: T1 } },
    });
  });

  it('supports array elements with index and -', () => {
    const base = applyTwinPatch(twin(), [{ op: 'add', path: '/list', value: [1, 2] }], T1);
    const result = applyTwinPatch(
      base,
      [
        { op: 'add', path: '/list/-', value: 3 },
        { op: 'remove', path: '/list/0' },
      ],
      T1,
    );
    expect(result['list']).toEqual([2, 3]);
    expect(failure(() => applyTwinPatch(base, [{ op: 'replace', path: '/list/5', value: 0 }], T1)).message).toContain("segment '5'");
  });
});

describe('applyRelationshipPatch', () => {
  const rel: RelationshipDoc = { $relationshipId: 'r', $etag: 'W/"e"', $sourceId: 's', $relationshipName: 'n', $targetId: 't', since: 'a' };

  it('patches properties and refuses $ fields', () => {
    expect(applyRelationshipPatch(rel, [{ op: 'replace', path: '/since', value: 'b' }])['since']).toBe('b');
    expect(failure(() => applyRelationshipPatch(rel, [{ op: 'replace', path: '/$targetId', value: 'x' }])).code).toBe('JsonPatchInvalid');
    expect(failure(() => applyRelationshipPatch(rel, [{ op: 'remove', path: '/isAccessDoorRestricted' }])).message).toMatch(
      /segment 'isAccessDoorRestricted' was not found/,
    );
  });
});

describe('diffProperties', () => {
  it('describes a replacement as add/replace/remove ops, recursing into components', () => {
    const before = { $metadata: { $model: 'm1' }, a: 1, b: 2, c: { $metadata: {}, x: 1 } };
    const after = { $metadata: { $model: 'm2' }, a: 1, b: 3, d: 4, c: { $metadata: {}, x: 2 } };
    expect(diffProperties(before, after)).toEqual([
      { op: 'replace', path: '/$metadata/$model', value: 'm2' },
      { op: 'replace', path: '/b', value: 3 },
      { op: 'add', path: '/d', value: 4 },
      { op: 'replace', path: '/c/x', value: 2 },
    ]);
  });
});
