import { executeQuery } from '../../../local/emulator/query';
import { buildingGraph, dtIds, MODEL, runAll } from './buildingGraph';

describe('SELECT', () => {
  it('SELECT * returns whole twin documents in insertion order', () => {
    const rows = runAll("SELECT * FROM DIGITALTWINS WHERE $dtId = 'room-101'");
    expect(rows).toEqual([buildingGraph().twin('room-101')]);
    expect(dtIds('SELECT * FROM DIGITALTWINS')).toEqual([...buildingGraph().twinMap.keys()]);
  });

  it('returns copies: mutating a result does not change the store', () => {
    const source = buildingGraph();
    const [row] = executeQuery("SELECT * FROM DIGITALTWINS WHERE $dtId = 'building-1'", source, {}).value as Array<Record<string, unknown>>;
    (row?.['address'] as Record<string, unknown>)['city'] = 'Amsterdam';
    expect((source.twin('building-1')?.['address'] as Record<string, unknown>)['city']).toBe('Utrecht');
  });

  it('SELECT alias wraps each twin under its alias', () => {
    const rows = runAll("SELECT T FROM DIGITALTWINS T WHERE T.$dtId = 'floor-1'");
    expect(rows).toEqual([{ T: buildingGraph().twin('floor-1') }]);
  });

  it('projects properties, omitting those missing on a row, with AS renaming', () => {
    const rows = runAll(`SELECT T.$dtId, T.temperature, T.name AS label FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '${MODEL.room}')`);
    expect(rows).toEqual([
      { $dtId: 'room-101', temperature: 21.5, label: 'Room 101' },
      { $dtId: 'room-102', temperature: 23, label: 'Board room' },
      { $dtId: 'room-201', temperature: null, label: 'Room 201' },
      { $dtId: 'room-202', label: "Kitchen's corner" },
    ]);
  });

  it('projects nested paths and complex values under the last segment name', () => {
    expect(runAll("SELECT T.address.postal, T.tags, T.$metadata.$model FROM DIGITALTWINS T WHERE T.name = 'HQ'")).toEqual([
      { postal: { code: '3511' }, tags: ['hq', 'main'], $model: MODEL.building },
    ]);
  });

  it('treats value as an ordinary property name', () => {
    const source = buildingGraph().add({ $dtId: 'meter-1', $etag: 'W/"m"', value: 7, $metadata: { $model: 'dtmi:test:Meter;1' } });
    expect(runAll('SELECT value FROM DIGITALTWINS WHERE value = 7', source)).toEqual([{ value: 7 }]);
    expect(runAll('SELECT M.value AS reading FROM DIGITALTWINS M WHERE M.value > 1', source)).toEqual([{ reading: 7 }]);
  });

  it('projects bare properties when FROM has no alias', () => {
    expect(runAll('SELECT level FROM DIGITALTWINS WHERE level >= 1')).toEqual([{ level: 1 }, { level: 2 }]);
  });

  it('TOP(n) limits the result, with or without a projection and across pages', () => {
    expect(dtIds(`SELECT TOP(2) * FROM DIGITALTWINS WHERE IS_OF_MODEL('${MODEL.room}')`)).toEqual(['room-101', 'room-102']);
    expect(dtIds(`SELECT TOP (3) FROM DIGITALTWINS WHERE IS_OF_MODEL('${MODEL.room}')`)).toEqual(['room-101', 'room-102', 'room-201']);
    expect(runAll('SELECT TOP(5) T.$dtId FROM DIGITALTWINS T', buildingGraph(), 2)).toHaveLength(5);
    expect(runAll('SELECT TOP(0) * FROM DIGITALTWINS')).toEqual([]);
    const page = executeQuery('SELECT TOP(4) * FROM DIGITALTWINS', buildingGraph(), { maxItemsPerPage: 4 });
    expect(page.value).toHaveLength(4);
    expect(page.continuationToken).toBeNull();
  });

  it('COUNT() returns one row {"COUNT": n}', () => {
    const source = buildingGraph();
    expect(executeQuery('SELECT COUNT() FROM DIGITALTWINS', source, {}).value).toEqual([{ COUNT: 12 }]);
    expect(
      executeQuery(`SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('${MODEL.room}')`, source, { maxItemsPerPage: 1 }),
    ).toMatchObject({
      value: [{ COUNT: 4 }],
      continuationToken: null,
    });
    expect(executeQuery("SELECT COUNT() FROM RELATIONSHIPS WHERE $relationshipName = 'contains'", source, {}).value).toEqual([
      { COUNT: 6 },
    ]);
    expect(executeQuery("SELECT COUNT() FROM DIGITALTWINS WHERE name = 'nobody'", source, {}).value).toEqual([{ COUNT: 0 }]);
  });

  it('COUNT() works with JOIN', () => {
    const q = "SELECT COUNT() FROM DIGITALTWINS B JOIN F RELATED B.contains JOIN R RELATED F.contains WHERE B.$dtId = 'building-1'";
    expect(executeQuery(q, buildingGraph(), {}).value).toEqual([{ COUNT: 4 }]);
  });
});
