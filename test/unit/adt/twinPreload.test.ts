// The first touch by query: the queries stay within ADT's limits, quote any twin id, and only
// documents the cache can keep are kept — as guard copies, never over a copy the process holds.

import { TwinCache } from '../../../shared/adt/twinCache';
import { isPreloadedTwin, preloadIdsPerQuery, preloadQueries } from '../../../shared/adt/twinPreload';

const ids = (n: number, width = 8): string[] => Array.from({ length: n }, (_, i) => `t${String(i).padStart(width, '0')}`);
const inItems = (query: string): number => (query.match(/'(?:[^'\\]|\\.)*'/g) ?? []).length;

it('names at most 50 twins per query (ADT limit on IN items), every id once, in order', () => {
  const queries = preloadQueries(ids(120));
  expect(queries.map(inItems)).toEqual([50, 50, 20]);
  expect(preloadIdsPerQuery).toBe(50);
  expect(queries[0]).toMatch(/^SELECT \* FROM DIGITALTWINS T WHERE T\.\$dtId IN \['t00000000', 't00000001', /);
  expect(queries.join(' ').match(/t\d+/g)).toEqual(ids(120));
  expect(preloadQueries([])).toEqual([]);
});

it('splits long ids by length so no query exceeds 7,500 characters (ADT allows 8,000)', () => {
  const queries = preloadQueries(ids(50, 400));
  expect(queries.length).toBeGreaterThan(2);
  for (const query of queries) expect(query.length).toBeLessThanOrEqual(7_500);
  expect(queries.reduce((n, q) => n + inItems(q), 0)).toBe(50);
});

it("quotes ids with quotes and backslashes as ADT's query language requires", () => {
  expect(preloadQueries(["o'brien\\1"])).toEqual(["SELECT * FROM DIGITALTWINS T WHERE T.$dtId IN ['o\\'brien\\\\1']"]);
});

it('keeps only twin documents with an id, an ETag and a model', () => {
  expect(isPreloadedTwin({ $dtId: 'a', $etag: 'W/"1"', $metadata: { $model: 'dtmi:x;1' } })).toBe(true);
  expect(isPreloadedTwin({ $dtId: 'a', $metadata: { $model: 'dtmi:x;1' } })).toBe(false);
  expect(isPreloadedTwin({ $dtId: 'a', $etag: 'W/"1"', $metadata: {} })).toBe(false);
  expect(isPreloadedTwin({ T: { $dtId: 'a' } })).toBe(false);
  expect(isPreloadedTwin(null)).toBe(false);
});

it('a pre-loaded copy is a guard copy, and never replaces a copy the process already holds', () => {
  const cache = new TwinCache(10, 10);
  const twin = {
    $dtId: 'a',
    $etag: 'W/"q"',
    temperature: 20,
    note: 'x'.repeat(100),
    $metadata: { $model: 'm', temperature: { sourceTime: 't1' } },
  };
  expect(cache.rememberGuard(twin, twin.$etag)).toBe(true);
  expect(cache.get('a')).toBeUndefined(); // whole-document readers never see it
  expect(cache.forWrite('a')).toMatchObject({ etag: 'W/"q"', guardOnly: true, twin: { temperature: 20, $metadata: { $model: 'm' } } });
  expect(cache.forWrite('a')?.twin.note).toBeUndefined();

  cache.remember({ $dtId: 'b', temperature: 1, $metadata: { $model: 'm' } }, 'W/"get"');
  cache.rememberGuard({ $dtId: 'b', temperature: 0, $metadata: { $model: 'm' } }, 'W/"older"');
  expect(cache.forWrite('b')).toMatchObject({ etag: 'W/"get"', twin: { temperature: 1 } });

  expect(new TwinCache(10, 0).rememberGuard(twin, twin.$etag)).toBe(false);
});
