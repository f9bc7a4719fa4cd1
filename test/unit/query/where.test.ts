import { dtIds, MODEL, runAll } from './buildingGraph';

const ROOMS = ['room-101', 'room-102', 'room-201', 'room-202'];

describe('WHERE comparisons', () => {
  it.each([
    ['temperature = 23', ['room-102']],
    ['temperature != 23', ['room-101']],
    ['temperature <> 23', ['room-101']],
    ['temperature > 21.5', ['room-102']],
    ['temperature >= 21.5', ['room-101', 'room-102']],
    ['temperature < 23', ['room-101']],
    ['temperature <= 23', ['room-101', 'room-102']],
    ['level = 2', ['floor-2']],
    ['level > -1 AND level < 1.5', ['floor-1']],
    ["name = 'HQ'", ['building-1']],
    ["name > 'Room'", ['room-101', 'room-201']],
    ['occupied = true', ['room-101', 'room-202']],
    ['occupied = false', ['room-102', 'room-201']],
  ])('%s', (predicate, expected) => {
    expect(dtIds(`SELECT * FROM DIGITALTWINS WHERE ${predicate}`)).toEqual(expected);
  });

  it('treats comparisons between different types as false, both = and !=', () => {
    // thermostat-201 has setpoint '20' (a string): it matches neither the number nor its negation.
    expect(dtIds('SELECT * FROM DIGITALTWINS WHERE setpoint = 20')).toEqual([]);
    expect(dtIds('SELECT * FROM DIGITALTWINS WHERE setpoint != 20')).toEqual(['thermostat-101', 'thermostat-102']);
    expect(dtIds("SELECT * FROM DIGITALTWINS WHERE setpoint = '20'")).toEqual(['thermostat-201']);
    expect(dtIds("SELECT * FROM DIGITALTWINS WHERE occupied = 'true'")).toEqual([]);
  });

  it('treats a missing property as undefined: every comparison with it is false', () => {
    // room-202 has no temperature, room-201 has null; neither is a number.
    expect(dtIds('SELECT * FROM DIGITALTWINS WHERE temperature != 100')).toEqual(['room-101', 'room-102']);
    expect(dtIds('SELECT * FROM DIGITALTWINS WHERE temperature = null')).toEqual(['room-201']);
  });

  it('compares property names and string values case-sensitively', () => {
    expect(dtIds("SELECT * FROM DIGITALTWINS WHERE name = 'hq'")).toEqual([]);
    expect(dtIds("SELECT * FROM DIGITALTWINS WHERE Name = 'HQ'")).toEqual([]);
  });

  it('accepts keywords in any case', () => {
    expect(dtIds("select * from digitaltwins where name = 'HQ' and floors = 2")).toEqual(['building-1']);
    expect(dtIds("SeLeCt * FrOm DigitalTwins T wHeRe T.name = 'HQ'")).toEqual(['building-1']);
  });

  it("unescapes \\' inside string literals", () => {
    expect(dtIds("SELECT * FROM DIGITALTWINS WHERE name = 'Kitchen\\'s corner'")).toEqual(['room-202']);
  });

  it('compares two properties of the same row', () => {
    expect(dtIds('SELECT * FROM DIGITALTWINS T WHERE T.floors = T.floors')).toEqual(['building-1']);
  });
});

describe('WHERE paths', () => {
  it('filters on $dtId with and without an alias', () => {
    expect(dtIds("SELECT * FROM DIGITALTWINS WHERE $dtId = 'floor-2'")).toEqual(['floor-2']);
    expect(dtIds("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'floor-2'")).toEqual(['floor-2']);
    expect(dtIds("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'no-such-twin'")).toEqual([]);
  });

  it('filters on $metadata.$model and $metadata.<prop>.sourceTime', () => {
    expect(dtIds(`SELECT * FROM DIGITALTWINS WHERE $metadata.$model = '${MODEL.floor}'`)).toEqual(['floor-1', 'floor-2']);
    expect(dtIds("SELECT * FROM DIGITALTWINS T WHERE T.$metadata.temperature.sourceTime >= '2026-01-01T09:00:00Z'")).toEqual(['room-101']);
    expect(dtIds('SELECT * FROM DIGITALTWINS WHERE IS_DEFINED($metadata.temperature.sourceTime)')).toEqual(['room-101']);
  });

  it('walks nested object paths a.b.c', () => {
    expect(dtIds("SELECT * FROM DIGITALTWINS T WHERE T.address.postal.code = '3511'")).toEqual(['building-1']);
    expect(dtIds("SELECT * FROM DIGITALTWINS T WHERE T.address.city.code = '3511'")).toEqual([]);
  });

  it('accepts [[escaped]] names, and reserved words after a dot', () => {
    expect(dtIds("SELECT * FROM DIGITALTWINS WHERE [[select]] = 'reserved-word property'")).toEqual(['thermostat-101']);
    expect(dtIds("SELECT * FROM DIGITALTWINS T WHERE T.select = 'reserved-word property'")).toEqual(['thermostat-101']);
  });
});

describe('WHERE IN / NIN and boolean logic', () => {
  it('IN and NIN match literal lists', () => {
    expect(dtIds("SELECT * FROM DIGITALTWINS WHERE $dtId IN ['room-102', 'floor-1', 'missing']")).toEqual(['room-102', 'floor-1']);
    expect(dtIds('SELECT * FROM DIGITALTWINS WHERE level IN [2, 3]')).toEqual(['floor-2']);
    expect(dtIds('SELECT * FROM DIGITALTWINS WHERE level NIN [2, 3]')).toEqual(['floor-1']);
    expect(dtIds('SELECT * FROM DIGITALTWINS WHERE level NOT IN [1]')).toEqual(['floor-2']);
    expect(dtIds('SELECT * FROM DIGITALTWINS WHERE level IN []')).toEqual([]);
  });

  it('AND binds tighter than OR; parentheses and NOT override', () => {
    const q = (w: string) => dtIds(`SELECT * FROM DIGITALTWINS WHERE ${w}`);
    expect(q("level = 1 OR name = 'HQ' AND floors = 3")).toEqual(['floor-1']);
    expect(q("(level = 1 OR name = 'HQ') AND IS_DEFINED(name)")).toEqual(['building-1', 'floor-1']);
    expect(q(`IS_OF_MODEL('${MODEL.room}') AND NOT occupied = true`)).toEqual(['room-102', 'room-201']);
    expect(q(`IS_OF_MODEL('${MODEL.room}') AND NOT (occupied = true OR temperature > 22)`)).toEqual(['room-201']);
  });
});

describe('WHERE functions', () => {
  const q = (w: string) => dtIds(`SELECT * FROM DIGITALTWINS WHERE ${w}`);

  it('IS_OF_MODEL follows extends unless exact', () => {
    expect(q(`IS_OF_MODEL('${MODEL.room}')`)).toEqual(ROOMS);
    expect(q(`IS_OF_MODEL('${MODEL.room}', exact)`)).toEqual(['room-101', 'room-201', 'room-202']);
    expect(q(`IS_OF_MODEL('${MODEL.space}')`)).toEqual(['building-1', 'floor-1', 'floor-2', ...ROOMS]);
    expect(q(`IS_OF_MODEL('${MODEL.space}', EXACT)`)).toEqual([]);
    expect(q(`IS_OF_MODEL('${MODEL.thermostat}')`)).toEqual(['thermostat-101', 'thermostat-102', 'thermostat-201']);
    expect(dtIds(`SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '${MODEL.smartThermostat}')`)).toEqual(['thermostat-102']);
  });

  it('type checks', () => {
    expect(q('IS_DEFINED(temperature)')).toEqual(['room-101', 'room-102', 'room-201']);
    expect(q('IS_NULL(temperature)')).toEqual(['room-201']);
    expect(q('IS_BOOL(occupied)')).toEqual(ROOMS);
    expect(q('IS_NUMBER(setpoint)')).toEqual(['thermostat-101', 'thermostat-102']);
    expect(q('IS_STRING(setpoint)')).toEqual(['thermostat-201']);
    expect(q('IS_OBJECT(address)')).toEqual(['building-1']);
    expect(q('IS_OBJECT(tags)')).toEqual([]);
    expect(q('IS_PRIMITIVE(temperature)')).toEqual(['room-101', 'room-102', 'room-201']);
    expect(q('IS_PRIMITIVE(address)')).toEqual([]);
  });

  it('string functions in both spellings, case-sensitive', () => {
    expect(q("STARTSWITH($dtId, 'thermostat-1')")).toEqual(['thermostat-101', 'thermostat-102']);
    expect(q("STARTS_WITH($dtId, 'thermostat-1')")).toEqual(['thermostat-101', 'thermostat-102']);
    expect(q("ENDSWITH($dtId, '-1')")).toEqual(['building-1', 'floor-1', 'gateway-1', 'hub-1']);
    expect(q("ENDS_WITH(name, 'room')")).toEqual(['room-102']);
    expect(q("CONTAINS(name, 'oom')")).toEqual(['room-101', 'room-102', 'room-201']);
    expect(q("CONTAINS(name, 'ROOM')")).toEqual([]);
    expect(q("STARTSWITH(level, '1')")).toEqual([]);
  });

  it('ARRAY_CONTAINS', () => {
    expect(q("ARRAY_CONTAINS(tags, 'main')")).toEqual(['building-1']);
    expect(q("ARRAY_CONTAINS(tags, 'Main')")).toEqual([]);
    expect(q("ARRAY_CONTAINS(name, 'H')")).toEqual([]);
  });
});

describe('FROM RELATIONSHIPS', () => {
  it('filters relationships by $sourceId and properties', () => {
    const rows = runAll("SELECT * FROM RELATIONSHIPS WHERE $sourceId IN ['room-101', 'room-102']") as Array<Record<string, unknown>>;
    expect(rows.map((r) => r['$targetId'])).toEqual(['thermostat-101', 'thermostat-102']);
    const since = runAll('SELECT R.$relationshipId, R.since FROM RELATIONSHIPS R WHERE R.since >= 2021');
    expect(since).toEqual([{ $relationshipId: 'room-102-hasDevice-thermostat-102', since: 2022 }]);
  });

  it('IS_OF_MODEL is false for relationships', () => {
    expect(runAll(`SELECT * FROM RELATIONSHIPS WHERE IS_OF_MODEL('${MODEL.room}')`)).toEqual([]);
  });
});
