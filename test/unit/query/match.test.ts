// MATCH as ADT documents it (reference-query-clause-match), over the shared building graph:
// building-1 ─contains→ floor-1/2 ─contains→ rooms ─hasDevice→ thermostats ─reportsTo→ gateway-1 ─uplink→ hub-1
import { executeQuery } from '../../../local/emulator/query';
import { adtErrorOf, buildingGraph, runAll } from './buildingGraph';

type Row = Record<string, { $dtId?: string; $relationshipId?: string; [k: string]: unknown }>;
const rows = (query: string): Row[] => runAll(query) as Row[];
/** Each row as `alias=id` pairs, in the query's alias order. */
const ids = (query: string, aliases: string[]): string[] =>
  rows(query).map((row) => aliases.map((a) => row[a]?.$dtId ?? row[a]?.$relationshipId ?? '-').join(' '));

describe('MATCH: direction, names, hops', () => {
  test('single hop left to right, any relationship name', () => {
    expect(ids("SELECT b, f FROM DIGITALTWINS MATCH (b)-[]->(f) WHERE b.$dtId = 'building-1'", ['b', 'f'])).toEqual([
      'building-1 floor-1',
      'building-1 floor-2',
    ]);
  });

  test('right to left follows incoming relationships', () => {
    expect(ids("SELECT r, f FROM DIGITALTWINS MATCH (r)<-[:contains]-(f) WHERE r.$dtId = 'room-201'", ['r', 'f'])).toEqual([
      'room-201 floor-2',
    ]);
  });

  test('non-directional takes both directions', () => {
    expect(ids("SELECT f, x FROM DIGITALTWINS MATCH (f)-[]-(x) WHERE f.$dtId = 'floor-1'", ['f', 'x'])).toEqual([
      'floor-1 room-101',
      'floor-1 room-102',
      'floor-1 building-1',
    ]);
  });

  test('relationship names: one, several, and unknown ones', () => {
    expect(ids("SELECT d FROM DIGITALTWINS MATCH (r)-[:hasDevice]->(d) WHERE r.$dtId = 'room-101'", ['d'])).toEqual(['thermostat-101']);
    expect(ids("SELECT x FROM DIGITALTWINS MATCH (t)-[:reportsTo|uplink]-(x) WHERE t.$dtId = 'gateway-1'", ['x'])).toEqual([
      'hub-1',
      'thermostat-101',
      'thermostat-102',
    ]);
    expect(rows("SELECT x FROM DIGITALTWINS MATCH (t)-[:nope]->(x) WHERE t.$dtId = 'gateway-1'")).toEqual([]);
  });

  test('exact hop count *n', () => {
    expect(ids("SELECT r FROM DIGITALTWINS MATCH (b)-[:contains*2]->(r) WHERE b.$dtId = 'building-1'", ['r'])).toEqual([
      'room-101',
      'room-102',
      'room-201',
      'room-202',
    ]);
  });

  test('*..n is 1..n; *m..n excludes m ("the starting limit isn\'t included")', () => {
    const upTo2 = ids("SELECT x FROM DIGITALTWINS MATCH (b)-[:contains*..2]->(x) WHERE b.$dtId = 'building-1'", ['x']);
    expect(upTo2.sort()).toEqual(['floor-1', 'floor-2', 'room-101', 'room-102', 'room-201', 'room-202']);
    const twoOrThree = ids("SELECT x FROM DIGITALTWINS MATCH (b)-[*1..3]->(x) WHERE b.$dtId = 'building-1'", ['x']);
    expect(twoOrThree.sort()).toEqual([
      'room-101',
      'room-102',
      'room-201',
      'room-202',
      'thermostat-101',
      'thermostat-102',
      'thermostat-201',
    ]);
  });

  test('variable hops reach the same twin by several paths once; the hub is 5 hops from the building', () => {
    expect(ids("SELECT h FROM DIGITALTWINS MATCH (b)-[*5]->(h) WHERE b.$dtId = 'building-1'", ['h'])).toEqual(['hub-1']);
    // Two thermostats report to gateway-1: two 4-hop paths, one row.
    expect(ids("SELECT g FROM DIGITALTWINS MATCH (b)-[*4]->(g) WHERE b.$dtId = 'building-1'", ['g'])).toEqual(['gateway-1']);
  });

  test('undirected variable hops never reuse a relationship, so a path cannot bounce back', () => {
    // floor-1 -[]- x -[]- y over 2 hops: never floor-1 → room-101 → floor-1 over the same relationship.
    const result = ids("SELECT y FROM DIGITALTWINS MATCH (f)-[:contains*2]-(y) WHERE f.$dtId = 'floor-1'", ['y']);
    expect(result.sort()).toEqual(['floor-2']);
  });

  test('a relationship to a missing twin leads nowhere', () => {
    expect(rows("SELECT d FROM DIGITALTWINS MATCH (r)-[:hasDevice]->(d) WHERE r.$dtId = 'room-202'")).toEqual([]);
  });
});

describe('MATCH: variables, chains, projections, WHERE', () => {
  test('a relationship variable binds the relationship; its properties filter in WHERE', () => {
    const result = rows(
      "SELECT r, rel, d FROM DIGITALTWINS MATCH (r)-[rel:hasDevice]->(d) WHERE r.$dtId IN ['room-101', 'room-102'] AND rel.since >= 2021",
    );
    expect(result).toHaveLength(1);
    expect(result[0]?.['rel']).toMatchObject({ $relationshipId: 'room-102-hasDevice-thermostat-102', $sourceId: 'room-102', since: 2022 });
    expect(result[0]?.['d']?.$dtId).toBe('thermostat-102');
  });

  test('a lone name in brackets is a variable ([Rel]); name|name or name*n are relationship names', () => {
    expect(ids("SELECT Rel FROM DIGITALTWINS MATCH (g)-[Rel]->(h) WHERE g.$dtId = 'gateway-1' AND Rel.protocol = 'amqp'", ['Rel'])).toEqual(
      ['gateway-1-uplink-hub-1'],
    );
    expect(ids("SELECT x FROM DIGITALTWINS MATCH (g)<-[reportsTo|uplink]-(x) WHERE g.$dtId = 'gateway-1'", ['x'])).toEqual([
      'thermostat-101',
      'thermostat-102',
    ]);
    expect(ids("SELECT x FROM DIGITALTWINS MATCH (b)-[contains*2]->(x) WHERE b.$dtId = 'building-1' AND x.occupied = true", ['x'])).toEqual(
      ['room-101', 'room-202'],
    );
  });

  test('chained conditions bind every twin; properties of any twin filter', () => {
    const q =
      "SELECT f.name AS floor, r.name AS room, t.setpoint FROM DIGITALTWINS MATCH (b)-[:contains]->(f)-[:contains]->(r)-[:hasDevice]->(t) WHERE b.$dtId = 'building-1' AND t.setpoint >= 21";
    expect(runAll(q)).toEqual([
      { floor: 'Ground', room: 'Room 101', setpoint: 21 },
      { floor: 'Ground', room: 'Board room', setpoint: 22 },
    ]);
  });

  test('the anchor may be in the middle or at the end: the chain is walked both ways', () => {
    const q = "SELECT b, f, t FROM DIGITALTWINS MATCH (b)-[:contains]->(f)-[:contains]->(r)-[:hasDevice]->(t) WHERE r.$dtId = 'room-201'";
    expect(ids(q, ['b', 'f', 't'])).toEqual(['building-1 floor-2 thermostat-201']);
    const end = "SELECT b FROM DIGITALTWINS MATCH (b)-[*3]->(t) WHERE t.$dtId = 'thermostat-102'";
    expect(ids(end, ['b'])).toEqual(['building-1']);
  });

  test('mixed directions in one chain (bidirectional via chaining)', () => {
    const q = "SELECT other FROM DIGITALTWINS MATCH (t)-[:reportsTo]->(g)<-[:reportsTo]-(other) WHERE t.$dtId = 'thermostat-101'";
    expect(ids(q, ['other'])).toEqual(['thermostat-102']);
  });

  test('anonymous twins () match anything and are not projected by SELECT *', () => {
    const result = rows(
      "SELECT * FROM DIGITALTWINS MATCH (b)-[:contains]->()-[:contains]->(r) WHERE b.$dtId = 'building-1' AND r.temperature > 22",
    );
    expect(result).toHaveLength(1);
    expect(Object.keys(result[0] ?? {})).toEqual(['b', 'r']);
    expect(result[0]?.['r']?.$dtId).toBe('room-102');
  });

  test("bare names without parentheses are accepted (ADT's own docs write MATCH A-[…]->B)", () => {
    expect(ids("SELECT B FROM DIGITALTWINS MATCH A-[:uplink]->B WHERE A.$dtId = 'gateway-1'", ['B'])).toEqual(['hub-1']);
  });

  test('a lone node; COUNT(), TOP and IS_OF_MODEL work on MATCH rows', () => {
    expect(ids("SELECT a FROM DIGITALTWINS MATCH (a) WHERE a.$dtId IN ['hub-1', 'floor-2', 'nope']", ['a'])).toEqual(['hub-1', 'floor-2']);
    expect(runAll("SELECT COUNT() FROM DIGITALTWINS MATCH (b)-[*2]->(r) WHERE b.$dtId = 'building-1'")).toEqual([{ COUNT: 4 }]);
    expect(rows("SELECT TOP(3) r FROM DIGITALTWINS MATCH (b)-[*2]->(r) WHERE b.$dtId = 'building-1'")).toHaveLength(3);
    expect(
      ids("SELECT r FROM DIGITALTWINS MATCH (b)-[*2]->(r) WHERE b.$dtId = 'building-1' AND IS_OF_MODEL(r, 'dtmi:test:MeetingRoom;1')", [
        'r',
      ]),
    ).toEqual(['room-102']);
  });

  test('pages through MATCH results with continuation tokens', () => {
    const query = "SELECT x FROM DIGITALTWINS MATCH (b)-[*..3]->(x) WHERE b.$dtId = 'building-1'";
    const paged = (runAll(query, buildingGraph(), 2) as Row[]).map((r) => r['x']?.$dtId);
    expect(paged).toEqual([
      'floor-1',
      'room-101',
      'thermostat-101',
      'room-102',
      'thermostat-102',
      'floor-2',
      'room-201',
      'thermostat-201',
      'room-202',
    ]);
    expect(paged).toEqual((runAll(query) as Row[]).map((r) => r['x']?.$dtId));
  });
});

test('query charge: twins reached are documents read, relationships followed are hops', () => {
  // building-1 (1 read) → floor-1, floor-2 (2 reads, 2 hops): 1 + 0.01 × 3 + 0.1 × 2.
  const page = executeQuery("SELECT x FROM DIGITALTWINS MATCH (b)-[:contains]->(x) WHERE b.$dtId = 'building-1'", buildingGraph(), {});
  expect(page.queryCharge).toBe(1.23);
});

describe('MATCH: rules and limits (400 SqlQueryError)', () => {
  test.each([
    ['SELECT a FROM DIGITALTWINS MATCH (a)-[]->(b)', 'a query with MATCH must filter at least one of its twins by $dtId'],
    ["SELECT a FROM DIGITALTWINS MATCH (a)-[]->(b) WHERE a.$dtId = 'x' OR b.$dtId = 'y'", 'must filter at least one of its twins by $dtId'],
    ["SELECT a FROM DIGITALTWINS MATCH (a)-[r:contains*2]->(b) WHERE a.$dtId = 'x'", "the relationship variable 'r' needs a single hop"],
    ["SELECT a FROM DIGITALTWINS MATCH (a)-[]->(a) WHERE a.$dtId = 'x'", "the name 'a' is used more than once in MATCH"],
    ["SELECT a FROM DIGITALTWINS T MATCH (a)-[]->(b) WHERE a.$dtId = 'x'", "drop the alias 'T' after DIGITALTWINS"],
    ["SELECT a FROM RELATIONSHIPS MATCH (a)-[]->(b) WHERE a.$dtId = 'x'", 'MATCH works on FROM DIGITALTWINS only'],
    ["SELECT a FROM DIGITALTWINS MATCH (a)<-[]->(b) WHERE a.$dtId = 'x'", 'a relationship condition has one direction'],
    ["SELECT a FROM DIGITALTWINS MATCH (a)-[*0]->(b) WHERE a.$dtId = 'x'", 'the number of hops must be at least 1'],
    ["SELECT a FROM DIGITALTWINS MATCH (a)-[*3..3]->(b) WHERE a.$dtId = 'x'", 'the hop range allows no length'],
    ["SELECT a FROM DIGITALTWINS MATCH (a)-[*]->(b) WHERE a.$dtId = 'x'", 'expecting a number of hops after *'],
    [
      "SELECT a FROM DIGITALTWINS MATCH (a)-[*6]->(b)-[*5]->(c) WHERE a.$dtId = 'x'",
      'The query exceeds the ADT limit of 10 hops in MATCH (it has 11)',
    ],
    ["SELECT a FROM DIGITALTWINS MATCH (a)-[]->(b) JOIN c RELATED a.x WHERE a.$dtId = 'x'", 'MATCH and JOIN cannot be combined'],
    ["SELECT a FROM DIGITALTWINS MATCH (a) MATCH (b) WHERE a.$dtId = 'x'", 'only one MATCH is allowed per query'],
    ["SELECT name FROM DIGITALTWINS MATCH (a) WHERE a.$dtId = 'x'", "'name' must start with one of the collection aliases (a)"],
  ])('%s', (query, message) => {
    const error = adtErrorOf(() => runAll(query));
    expect([error.status, error.code]).toEqual([400, 'SqlQueryError']);
    expect(error.message).toContain(message);
  });

  test('10 hops in total are allowed', () => {
    expect(runAll("SELECT x FROM DIGITALTWINS MATCH (a)-[*5]->(b)-[*..5]->(x) WHERE a.$dtId = 'building-1'")).toEqual([]);
  });
});
