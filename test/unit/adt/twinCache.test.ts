// The twin cache degrades gracefully past its full-copy size: an evicted twin keeps a guard copy
// (model, ETag, sourceTimes, the shape of its objects and compact scalar values), so its next write
// still costs no GET, and the out-of-order guard and the deadband still hold. Readers that need whole
// documents see full copies only.
import { AdtGateway, type CallContext } from '../../../shared/adt/gateway';
import { emptyCallStats } from '../../../shared/adt/retry';
import { guardCopy, TwinCache } from '../../../shared/adt/twinCache';
import type { Twin } from '../../../shared/adt/types';
import { LruCache } from '../../../shared/common';
import type { PropertyUpdate } from '../../../shared/ingest/message/propertyUpdate';
import { writeTwinUpdate } from '../../../shared/ingest/write/twinWriter';
import { FakeClock, FakePort } from './fakes';

const at = (s: number): string => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
const twin = (id: string, temperature: number, second: number): Twin =>
  ({
    $dtId: id,
    $etag: `W/"${id}"`,
    $metadata: { $model: 'dtmi:test:Room;1', temperature: { lastUpdateTime: at(second), sourceTime: at(second) } },
    temperature,
    sensor: { $metadata: { co2: { sourceTime: at(second) } }, co2: 400 },
    tags: { a: { x: 1 } },
  }) as unknown as Twin;

describe('TwinCache', () => {
  it('demotes an evicted twin to a guard copy: the model, ETag, sourceTimes, object shape and compact scalars kept', () => {
    const cache = new TwinCache(2, 10);
    cache.remember(twin('a', 21, 1), 'W/"a1"');
    cache.remember(twin('b', 22, 2), undefined);
    cache.remember(twin('c', 23, 3), undefined);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.forWrite('a')).toEqual({
      twin: {
        $dtId: 'a',
        $metadata: { $model: 'dtmi:test:Room;1', temperature: { sourceTime: at(1) } },
        temperature: 21,
        sensor: { $metadata: { co2: { sourceTime: at(1) } }, co2: 400 },
        tags: { a: { x: 1 } },
      },
      etag: 'W/"a1"',
      guardOnly: true,
    });
    expect(cache.get('c')?.twin.temperature).toBe(23);
    expect(cache.forWrite('c')?.guardOnly).toBeUndefined();
  });

  it('keeps a guard copy current with accepted patches (sourceTimes, objects, compact scalars; a long string or array is removed, never kept old)', () => {
    const cache = new TwinCache(1, 10);
    cache.remember(twin('a', 21, 1), undefined);
    cache.remember(twin('b', 22, 2), undefined);
    cache.applied(
      'a',
      [
        { op: 'add', path: '/temperature', value: 30 },
        { op: 'add', path: '/$metadata/temperature/sourceTime', value: at(9) },
        { op: 'add', path: '/settings', value: { mode: 'eco', note: 'x'.repeat(65) } },
        { op: 'add', path: '/sensor/co2', value: [1, 2] },
      ],
      'W/"a2"',
    );
    const copy = cache.forWrite('a');
    expect(copy).toMatchObject({ etag: 'W/"a2"', guardOnly: true });
    expect(copy?.twin.temperature).toBe(30);
    expect(copy?.twin.$metadata).toMatchObject({ temperature: { sourceTime: at(9) } });
    expect(copy?.twin.settings).toEqual({ mode: 'eco' });
    expect(copy?.twin.sensor).toEqual({ $metadata: { co2: { sourceTime: at(1) } } });
  });

  it('by default holds the values of 170,000 active twins (20,000 full copies + 150,000 guard copies), as docs/PERFORMANCE.md says', () => {
    const cache = new TwinCache();
    const small = (i: number): Twin =>
      ({
        $dtId: `t${i}`,
        $metadata: { $model: 'dtmi:test:Room;1', temperature: { sourceTime: at(1) } },
        temperature: i,
      }) as unknown as Twin;
    for (let i = 0; i <= 170_000; i++) cache.remember(small(i), undefined);
    expect(cache.forWrite('t0')).toBeUndefined();
    expect(cache.forWrite('t1')?.twin.temperature).toBe(1);
    expect(cache.forWrite('t1')?.guardOnly).toBe(true);
    expect(cache.get('t170000')?.twin.temperature).toBe(170_000);
  });

  it('with the guard tier off, an evicted twin is gone (the old cliff)', () => {
    const cache = new TwinCache(1, 0);
    cache.remember(twin('a', 21, 1), undefined);
    cache.remember(twin('b', 22, 2), undefined);
    expect(cache.forWrite('a')).toBeUndefined();
  });

  it('reading a twin again promotes it back to a full copy', () => {
    const cache = new TwinCache(1, 10);
    cache.remember(twin('a', 21, 1), undefined);
    cache.remember(twin('b', 22, 2), undefined);
    cache.remember(twin('a', 25, 3), undefined);
    expect(cache.get('a')?.twin.temperature).toBe(25);
    expect(guardCopy('b', cache.get('b') ?? cache.forWrite('b')!)).toMatchObject({ guardOnly: true, twin: { $dtId: 'b' } });
  });
});

describe('writes past the full-copy size', () => {
  const upd = (twinId: string, value: number, second: number): PropertyUpdate => ({
    twinId,
    property: 'temperature',
    value,
    sourceTime: at(second),
    eventKeys: [`${twinId}-${second}`],
    rule: 'r',
  });

  function setup(guardCacheSize: number) {
    const clock = new FakeClock();
    const port = new FakePort();
    for (const id of ['a', 'b', 'c']) port.addTwin(id);
    const gateway = new AdtGateway({ port, clock, twinCacheSize: 1, guardCacheSize });
    const ctx = (): CallContext => ({ deadline: clock.now() + 60_000, stats: emptyCallStats() });
    const write = (update: PropertyUpdate) =>
      writeTwinUpdate({ twinId: update.twinId, updates: [update], ifMissing: { policy: 'deadLetter' } }, gateway, ctx(), {
        emitSourceTime: true,
        maxClockSkewMs: 300_000,
        now: Date.now,
      });
    return { port, gateway, write };
  }

  it('cost no GET with guard copies, keep the stale guard and send If-Match with the guard copy ETag', async () => {
    const { port, gateway, write } = setup(100);
    await write(upd('a', 20, 10));
    await write(upd('b', 21, 10));
    await write(upd('c', 22, 10));
    expect(gateway.cachedTwin('a')).toBeUndefined();
    const stale = await write(upd('a', 19, 5));
    expect(stale.stale).toHaveLength(1);
    const fresh = await write(upd('a', 23, 20));
    expect(fresh.applied).toHaveLength(1);
    expect(port.count('getTwin', 'a')).toBe(1);
    const lastPatch = port.calls.filter((c) => c.method === 'updateTwin' && c.twinId === 'a').at(-1);
    expect(lastPatch?.options).toMatchObject({ ifMatch: expect.stringMatching(/^W\//) });
    expect(lastPatch?.patch).toEqual([
      { op: 'add', path: '/temperature', value: 23 },
      { op: 'add', path: '/$metadata/temperature/sourceTime', value: at(20) },
    ]);
  });

  it("suppress an equal reading from the guard copy's value: no GET, no PATCH, the stored sourceTime kept", async () => {
    const { port, gateway, write } = setup(100);
    await write(upd('a', 20, 10));
    await write(upd('b', 21, 10));
    expect(gateway.cachedTwin('a')).toBeUndefined();
    const patchesBefore = port.count('updateTwin', 'a');
    const same = await write(upd('a', 20, 30));
    expect(same.suppressed).toEqual([{ update: expect.objectContaining({ value: 20 }), reason: 'unchanged' }]);
    expect(port.count('updateTwin', 'a')).toBe(patchesBefore);
    expect(port.count('getTwin', 'a')).toBe(1);
    expect(gateway.guardCopy('a')?.twin.$metadata).toMatchObject({ temperature: { sourceTime: at(10) } });
  });

  it('cost a GET per write without them', async () => {
    const { port, write } = setup(0);
    await write(upd('a', 20, 10));
    await write(upd('b', 21, 10));
    await write(upd('a', 23, 20));
    expect(port.count('getTwin', 'a')).toBe(2);
  });
});

describe('LruCache eviction callback', () => {
  it('reports entries evicted for capacity, not deletes or replacements', () => {
    const evicted: string[] = [];
    const lru = new LruCache<string, number>({ capacity: 2, onEvict: (key) => evicted.push(key) });
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('a', 3);
    lru.delete('b');
    lru.set('c', 4);
    lru.set('d', 5);
    expect(evicted).toEqual(['a']);
  });
});
