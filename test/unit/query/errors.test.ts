import { executeQuery } from '../../../local/emulator/query';
import { buildingGraph, queryError } from './buildingGraph';

const SAMPLES = 'See samples in http://aka.ms/adtv2query for the correct syntax.';

describe('syntax errors read like ADT', () => {
  it('reproduces the recorded "missing SELECT" message verbatim', () => {
    const error = queryError('foo');
    expect(error.status).toBe(400);
    expect(error.code).toBe('SqlQueryError');
    expect(error.message).toBe(`SQL query parse failed: SQL Parser Error, Line=1, Position=0, Message=missing SELECT at 'foo' ${SAMPLES}`);
  });

  it.each([
    ['SELECT * DIGITALTWINS', "Line=1, Position=9, Message=missing FROM at 'DIGITALTWINS'"],
    ['SELECT * FROM TWINS', "Line=1, Position=14, Message=mismatched input 'TWINS' expecting {DIGITALTWINS, RELATIONSHIPS}"],
    ['SELECT * FROM DIGITALTWINS\nWHERE name = ', "Line=2, Position=13, Message=no viable alternative at input '<EOF>'"],
    ["SELECT * FROM DIGITALTWINS WHERE name = 'HQ' extra", "Line=1, Position=45, Message=extraneous input 'extra' expecting <EOF>"],
    ['SELECT * FROM DIGITALTWINS WHERE (level = 1', "Message=mismatched input '<EOF>' expecting ')'"],
    ["SELECT * FROM DIGITALTWINS WHERE name = 'HQ", "Line=1, Position=40, Message=token recognition error at: ''HQ'"],
    ['SELECT * FROM DIGITALTWINS WHERE level # 1', "Message=token recognition error at: '#'"],
    [
      "SELECT * FROM DIGITALTWINS WHERE level IN ['a', T.x]",
      "Message=mismatched input 'T' expecting a string, number, true, false or null",
    ],
    ['SELECT TOP(x) * FROM DIGITALTWINS', "Message=mismatched input 'x' expecting a whole number in TOP"],
    ['SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL(42)', "Message=mismatched input '42' expecting a model id string in IS_OF_MODEL"],
    ["SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:x;1', loose)", "Message=mismatched input 'loose' expecting 'exact'"],
    ['', "Line=1, Position=0, Message=missing SELECT at '<EOF>'"],
  ])('%j', (query, expected) => {
    const error = queryError(query);
    expect(error.code).toBe('SqlQueryError');
    expect(error.message).toContain('SQL query parse failed: SQL Parser Error, Line=');
    expect(error.message).toContain(expected);
  });

  it('hints at [[escaping]] when a reserved word is used as a bare property name', () => {
    expect(queryError('SELECT * FROM DIGITALTWINS WHERE count = 1').message).toContain(
      "Message=no viable alternative at input 'count' (a property named like a keyword must be escaped: [[count]])",
    );
  });

  it('reports wrong function arity with its position', () => {
    expect(queryError('SELECT * FROM DIGITALTWINS WHERE STARTSWITH(name)').message).toContain(
      'Semantic Error, Line=1, Position=33, Message=STARTSWITH takes 2 argument(s) but was given 1',
    );
    expect(queryError('SELECT T.a, T.b.a FROM DIGITALTWINS T').message).toContain("the output name 'a' appears twice; rename one with AS");
  });
});

describe('features outside the subset are named in a 400', () => {
  it.each([
    ['SELECT * FROM DIGITALTWINS ORDER BY name', 'ORDER BY'],
    ['SELECT * FROM DIGITALTWINS T WHERE T.level = 1 GROUP BY T.level', 'GROUP BY'],
    ['SELECT DISTINCT T.name FROM DIGITALTWINS T', 'SELECT DISTINCT'],
    ['SELECT VALUE T.name FROM DIGITALTWINS T', 'SELECT VALUE'],
    ['SELECT SUM(T.level) FROM DIGITALTWINS T', 'the aggregate function SUM (only COUNT() is supported)'],
    ['SELECT AVG(level) FROM DIGITALTWINS', 'the aggregate function AVG'],
    ["SELECT * FROM DIGITALTWINS WHERE LOWER(name) = 'hq'", 'the function LOWER in WHERE'],
    ['SELECT * FROM DIGITALTWINS WHERE FOO(name)', 'the function FOO'],
    ["SELECT * FROM DIGITALTWINS WHERE name LIKE 'H%'", 'LIKE (use STARTSWITH/ENDSWITH/CONTAINS)'],
    ['SELECT * FROM DIGITALTWINS WHERE name IS NULL', 'IS [NOT] NULL (use IS_NULL/IS_DEFINED)'],
    ["SELECT F FROM DIGITALTWINS B LEFT JOIN F RELATED B.contains WHERE B.$dtId = 'b'", 'LEFT/OUTER JOIN'],
    ["SELECT R FROM RELATIONSHIPS R JOIN T RELATED R.x WHERE R.$sourceId = 'b'", 'JOIN on FROM RELATIONSHIPS'],
    ['SELECT * FROM DIGITALTWINS WHERE tags[0] = 1', 'array indexing in property paths'],
    ['SELECT T.name, COUNT() FROM DIGITALTWINS T', 'the function COUNT in SELECT'],
  ])('%s', (query, feature) => {
    const error = queryError(query);
    expect(error.status).toBe(400);
    expect(error.code).toBe('SqlQueryError');
    expect(error.message).toContain(`The ADT emulator does not support ${feature}`);
  });
});

describe('limits', () => {
  it('rejects more than 8,000 characters', () => {
    const padding = ' '.repeat(8000);
    const error = queryError(`SELECT * FROM DIGITALTWINS${padding}`);
    expect(error.status).toBe(400);
    expect(error.message).toContain('limit of 8000 characters (it has 8026)');
    const atLimit = `SELECT * FROM DIGITALTWINS${' '.repeat(8000 - 26)}`;
    expect(executeQuery(atLimit, buildingGraph(), {}).value).toHaveLength(12);
  });

  it('rejects more than 50 AND/OR operators', () => {
    const build = (n: number) =>
      'SELECT * FROM DIGITALTWINS WHERE level = 1' +
      Array.from({ length: n }, (_, i) => (i % 2 ? ` AND level != ${i + 10}` : ` OR level = ${i + 10}`)).join('');
    expect(executeQuery(build(50), buildingGraph(), {}).value.length).toBeGreaterThan(0);
    const error = queryError(build(51));
    expect(error.message).toContain('limit of 50 AND/OR operators (it has 51)');
  });

  it('rejects more than 50 items in an IN list', () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => `'id-${i}'`).join(', ');
    expect(executeQuery(`SELECT * FROM DIGITALTWINS WHERE $dtId IN [${list(50)}]`, buildingGraph(), {}).value).toEqual([]);
    expect(queryError(`SELECT * FROM DIGITALTWINS WHERE $dtId NIN [${list(51)}]`).message).toContain(
      'limit of 50 items in an IN/NIN list (it has 51)',
    );
  });
});
