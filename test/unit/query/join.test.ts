import { executeQuery } from '../../../local/emulator/query';
import { buildingGraph, queryError, runAll } from './buildingGraph';

const chain = [
  'JOIN F RELATED B.contains',
  'JOIN R RELATED F.contains',
  'JOIN T RELATED R.hasDevice',
  'JOIN G RELATED T.reportsTo',
  'JOIN H RELATED G.uplink',
];

function ids(rows: unknown[], alias: string): string[] {
  return rows.map((row) => ((row as Record<string, { $dtId: string }>)[alias] as { $dtId: string }).$dtId);
}

describe('JOIN ... RELATED', () => {
  it('follows one hop and projects both collections', () => {
    const rows = runAll("SELECT B, F FROM DIGITALTWINS B JOIN F RELATED B.contains WHERE B.$dtId = 'building-1'");
    expect(ids(rows, 'F')).toEqual(['floor-1', 'floor-2']);
    expect(ids(rows, 'B')).toEqual(['building-1', 'building-1']);
  });

  it.each([1, 2, 3, 4, 5])('chains %i JOIN(s) with inner-join semantics', (depth) => {
    const aliases = ['B', 'F', 'R', 'T', 'G', 'H'].slice(0, depth + 1);
    const last = aliases[aliases.length - 1] ?? 'B';
    const q = `SELECT ${last}.$dtId FROM DIGITALTWINS B ${chain.slice(0, depth).join(' ')} WHERE B.$dtId = 'building-1'`;
    const expected = [
      ['floor-1', 'floor-2'],
      ['room-101', 'room-102', 'room-201', 'room-202'],
      // room-202's relationship points at a twin that does not exist: no row.
      ['thermostat-101', 'thermostat-102', 'thermostat-201'],
      // thermostat-201 reports to nobody: its row drops out.
      ['gateway-1', 'gateway-1'],
      ['hub-1', 'hub-1'],
    ][depth - 1];
    expect(runAll(q).map((row) => (row as { $dtId: string }).$dtId)).toEqual(expected);
  });

  it('binds the relationship alias and filters on it', () => {
    const q =
      "SELECT R.$dtId AS room, D.$dtId AS device, E.since FROM DIGITALTWINS F JOIN R RELATED F.contains JOIN D RELATED R.hasDevice E WHERE F.$dtId = 'floor-1' AND E.since > 2021";
    expect(runAll(q)).toEqual([{ room: 'room-102', device: 'thermostat-102', since: 2022 }]);
  });

  it('omits a missing projected property per row', () => {
    const q =
      "SELECT D.$dtId, E.since FROM DIGITALTWINS F JOIN R RELATED F.contains JOIN D RELATED R.hasDevice E WHERE F.$dtId = 'floor-2'";
    expect(runAll(q)).toEqual([{ $dtId: 'thermostat-201' }]);
  });

  it('accepts the $dtId filter on a joined twin instead of the FROM twin', () => {
    const q = "SELECT F.$dtId, R.$dtId AS room FROM DIGITALTWINS F JOIN R RELATED F.contains WHERE R.$dtId = 'room-201'";
    expect(runAll(q)).toEqual([{ $dtId: 'floor-2', room: 'room-201' }]);
  });

  it('a relationship name is case-sensitive', () => {
    expect(runAll("SELECT F FROM DIGITALTWINS B JOIN F RELATED B.Contains WHERE B.$dtId = 'building-1'")).toEqual([]);
  });

  it('rejects a 6th JOIN', () => {
    const q = `SELECT H FROM DIGITALTWINS B ${chain.join(' ')} JOIN X RELATED H.next WHERE B.$dtId = 'building-1'`;
    const error = queryError(q);
    expect(error.status).toBe(400);
    expect(error.message).toContain('limit of 5 JOINs (it has 6)');
  });

  it('rejects SELECT * with JOIN', () => {
    const error = queryError("SELECT * FROM DIGITALTWINS B JOIN F RELATED B.contains WHERE B.$dtId = 'building-1'");
    expect(error.code).toBe('SqlQueryError');
    expect(error.message).toContain('SELECT * is not valid with JOIN');
  });

  it('requires a $dtId filter ANDed at the top level', () => {
    for (const where of ['', "WHERE B.name = 'HQ'", "WHERE B.$dtId = 'building-1' OR B.name = 'HQ'", "WHERE NOT B.$dtId = 'x'"]) {
      const error = queryError(`SELECT F FROM DIGITALTWINS B JOIN F RELATED B.contains ${where}`);
      expect(error.code).toBe('SqlQueryError');
      expect(error.message).toContain('must filter at least one twin by $dtId');
    }
    expect(
      runAll("SELECT F.$dtId FROM DIGITALTWINS B JOIN F RELATED B.contains WHERE (B.$dtId IN ['building-1'] AND F.level = 2)"),
    ).toEqual([{ $dtId: 'floor-2' }]);
  });

  it('rejects unknown, duplicate or non-twin aliases', () => {
    expect(queryError("SELECT F FROM DIGITALTWINS B JOIN F RELATED X.contains WHERE B.$dtId = 'b'").message).toContain(
      "'X' in RELATED X.contains is not a twin collection",
    );
    expect(queryError("SELECT F FROM DIGITALTWINS B JOIN B RELATED B.contains WHERE B.$dtId = 'b'").message).toContain(
      "alias 'B' is used more than once",
    );
    expect(queryError("SELECT F FROM DIGITALTWINS B JOIN F RELATED B.contains E JOIN G RELATED E.x WHERE B.$dtId = 'b'").message).toContain(
      "'E' in RELATED E.x is not a twin collection",
    );
    expect(queryError("SELECT F FROM DIGITALTWINS B JOIN F RELATED B.contains WHERE $dtId = 'b'").message).toContain(
      "'$dtId' must start with one of the collection aliases (B, F)",
    );
    expect(queryError("SELECT name FROM DIGITALTWINS B JOIN F RELATED B.contains WHERE B.$dtId = 'b'").message).toContain(
      "'name' must start with one of the collection aliases",
    );
    expect(queryError("SELECT F FROM DIGITALTWINS JOIN F RELATED B.contains WHERE B.$dtId = 'b'").message).toContain(
      'a JOIN needs an alias',
    );
  });

  it('charges for JOIN hops and seeds the scan from the pinned $dtId', () => {
    const source = buildingGraph();
    const scan = executeQuery('SELECT * FROM DIGITALTWINS', source, {});
    // 12 twins read: 1 + 0.12.
    expect(scan.queryCharge).toBe(1.12);
    const join = executeQuery("SELECT F FROM DIGITALTWINS B JOIN F RELATED B.contains WHERE B.$dtId = 'building-1'", source, {});
    // building-1 fetched directly (1 read), 2 hops, 2 floors read: 1 + 0.03 + 0.2.
    expect(join.queryCharge).toBe(1.23);
  });
});
