import { executeQuery } from '../../../local/emulator/query';
import type { TwinDoc } from '../../../local/emulator/types';
import { adtErrorOf, buildingGraph, InMemoryQuerySource, runAll } from './buildingGraph';

function manyTwins(count: number): InMemoryQuerySource {
  const source = new InMemoryQuerySource();
  for (let i = 0; i < count; i += 1) {
    const id = `sensor-${String(i).padStart(4, '0')}`;
    source.add({ $dtId: id, $etag: `W/"${id}"`, index: i, $metadata: { $model: 'dtmi:test:Sensor;1' } });
  }
  return source;
}

const idsOf = (rows: unknown[]) => rows.map((row) => (row as TwinDoc).$dtId);

describe('paging', () => {
  it('splits results into pages of max-items-per-page and ends with an explicit null token', () => {
    const source = buildingGraph();
    const q = 'SELECT * FROM DIGITALTWINS';
    const first = executeQuery(q, source, { maxItemsPerPage: 5 });
    expect(idsOf(first.value)).toEqual(['building-1', 'floor-1', 'floor-2', 'room-101', 'room-102']);
    expect(typeof first.continuationToken).toBe('string');
    const second = executeQuery(q, source, { maxItemsPerPage: 5, continuationToken: first.continuationToken ?? '' });
    expect(idsOf(second.value)).toEqual(['room-201', 'room-202', 'thermostat-101', 'thermostat-102', 'thermostat-201']);
    const third = executeQuery(q, source, { maxItemsPerPage: 5, continuationToken: second.continuationToken ?? '' });
    expect(idsOf(third.value)).toEqual(['gateway-1', 'hub-1']);
    expect(third.continuationToken).toBeNull();
  });

  it('returns a null token when the last page is exactly full', () => {
    const page = executeQuery('SELECT * FROM DIGITALTWINS', manyTwins(10), { maxItemsPerPage: 10 });
    expect(page.value).toHaveLength(10);
    expect(page.continuationToken).toBeNull();
  });

  it('an empty result is one page with a null token', () => {
    expect(executeQuery("SELECT * FROM DIGITALTWINS WHERE $dtId = 'nope'", buildingGraph(), {})).toEqual({
      value: [],
      continuationToken: null,
      queryCharge: 1,
    });
  });

  it('defaults to 100 per page and caps the page size at 1000', () => {
    const source = manyTwins(1500);
    const byDefault = executeQuery('SELECT * FROM DIGITALTWINS', source, {});
    expect(byDefault.value).toHaveLength(100);
    const capped = executeQuery('SELECT * FROM DIGITALTWINS', source, { maxItemsPerPage: 5000 });
    expect(capped.value).toHaveLength(1000);
    expect(idsOf(runAll('SELECT * FROM DIGITALTWINS', source, 5000))).toHaveLength(1500);
  });

  it('pages are stable: every row exactly once, in insertion order, with or without a WHERE', () => {
    const source = manyTwins(237);
    const all = idsOf(runAll('SELECT * FROM DIGITALTWINS', source, 1000));
    expect(idsOf(runAll('SELECT * FROM DIGITALTWINS', source, 17))).toEqual(all);
    const even = idsOf(runAll('SELECT * FROM DIGITALTWINS T WHERE T.index >= 100', source, 9));
    expect(even).toEqual(all.slice(100));
    // Re-running page 2 with the same token gives the same rows.
    const first = executeQuery('SELECT * FROM DIGITALTWINS', source, { maxItemsPerPage: 50 });
    const token = first.continuationToken ?? '';
    expect(executeQuery('', source, { continuationToken: token })).toEqual(executeQuery('', source, { continuationToken: token }));
  });

  it('ignores the body query once a token is given, as ADT does', () => {
    const source = buildingGraph();
    const first = executeQuery("SELECT * FROM DIGITALTWINS WHERE STARTSWITH($dtId, 'room')", source, { maxItemsPerPage: 3 });
    const next = executeQuery('SELECT garbage that would not parse', source, { continuationToken: first.continuationToken ?? '' });
    expect(idsOf(next.value)).toEqual(['room-202']);
    expect(next.continuationToken).toBeNull();
  });

  it('keeps the page size from the token when the next request omits it', () => {
    const source = manyTwins(30);
    const first = executeQuery('SELECT * FROM DIGITALTWINS', source, { maxItemsPerPage: 7 });
    const second = executeQuery('', source, { continuationToken: first.continuationToken ?? '' });
    expect(idsOf(second.value)).toEqual([
      'sensor-0007',
      'sensor-0008',
      'sensor-0009',
      'sensor-0010',
      'sensor-0011',
      'sensor-0012',
      'sensor-0013',
    ]);
  });

  it.each([
    'not-a-token',
    '!!!',
    Buffer.from('{"v":1}').toString('base64url'),
    Buffer.from('{"v":2,"q":"SELECT * FROM DIGITALTWINS","o":0,"n":5}').toString('base64url'),
    Buffer.from('[1,2]').toString('base64url'),
  ])('rejects a garbled continuation token %j with 400 BadRequest', (token) => {
    const error = adtErrorOf(() => executeQuery('SELECT * FROM DIGITALTWINS', buildingGraph(), { continuationToken: token }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('BadRequest');
    expect(error.message).toContain('Re-run the query without a continuation token');
  });

  it.each([0, -3, 2.5])('rejects max-items-per-page %p', (size) => {
    const error = adtErrorOf(() => executeQuery('SELECT * FROM DIGITALTWINS', buildingGraph(), { maxItemsPerPage: size }));
    expect(error.code).toBe('InvalidArgument');
    expect(error.message).toContain('max-items-per-page must be a positive whole number');
  });

  it('pages projections and JOIN rows too', () => {
    const q = "SELECT R.$dtId FROM DIGITALTWINS B JOIN F RELATED B.contains JOIN R RELATED F.contains WHERE B.$dtId = 'building-1'";
    expect(runAll(q, buildingGraph(), 3)).toEqual([
      { $dtId: 'room-101' },
      { $dtId: 'room-102' },
      { $dtId: 'room-201' },
      { $dtId: 'room-202' },
    ]);
  });
});

describe('query charge', () => {
  it('is 1 + 0.01 per document read + 0.1 per JOIN hop, never zero', () => {
    const source = manyTwins(250);
    expect(executeQuery('SELECT COUNT() FROM DIGITALTWINS', source, {}).queryCharge).toBe(3.5);
    // Page 1 stops reading one row past the page: 101 reads.
    expect(executeQuery('SELECT * FROM DIGITALTWINS', source, {}).queryCharge).toBe(2.01);
    expect(executeQuery("SELECT * FROM DIGITALTWINS WHERE $dtId = 'sensor-0001'", source, {}).queryCharge).toBe(1.01);
    expect(executeQuery("SELECT * FROM DIGITALTWINS WHERE $dtId = 'missing'", source, {}).queryCharge).toBe(1);
  });
});
