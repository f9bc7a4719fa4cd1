import { parsePipelineConfig } from '../../../../shared/config/load';
import { createTwinIdResolver } from '../../../../shared/ingest/map/twinResolver';
import { type TwinIdRequest, twinIdRequest } from '../../../../shared/ingest/map/twinTargets';
import type { DeviceMessage } from '../../../../shared/ingest/message/deviceMessage';

const message = (deviceId: string, extra: Partial<DeviceMessage> = {}): DeviceMessage => ({
  eventKey: 'seq:1',
  deviceId,
  enqueuedTime: '2024-01-01T00:00:00.000Z',
  properties: {},
  systemProperties: {},
  body: {},
  ...extra,
});
const strategy = (yaml: string) => parsePipelineConfig(yaml, 't.yaml').ingest.twinId;

describe('twin id strategies', () => {
  it('renders templates over device, module and message properties', () => {
    const s = strategy('ingest:\n  twinId: "{properties.dtId}"\n');
    expect(twinIdRequest(s, message('d', { properties: { dtId: 'room-7' } }))).toEqual({ kind: 'direct', twins: [{ twinId: 'room-7' }] });
    expect(twinIdRequest(s, message('d')).kind).toBe('unresolved');
    const m = strategy('ingest:\n  twinId: "{deviceId}-{moduleId}"\n');
    expect(twinIdRequest(m, message('gw', { moduleId: 'temp' }))).toEqual({ kind: 'direct', twins: [{ twinId: 'gw-temp' }] });
  });

  it('looks up a static table with an optional fallback', () => {
    const s = strategy('ingest:\n  twinId: { table: { dev1: twin-a }, fallback: "x-{deviceId}" }\n');
    expect(twinIdRequest(s, message('dev1'))).toEqual({ kind: 'direct', twins: [{ twinId: 'twin-a' }] });
    expect(twinIdRequest(s, message('dev2'))).toEqual({ kind: 'direct', twins: [{ twinId: 'x-dev2' }] });
    const strict = strategy('ingest:\n  twinId: { table: { dev1: twin-a } }\n');
    expect(twinIdRequest(strict, message('dev2'))).toEqual({
      kind: 'unresolved',
      detail: '"dev2" is not in the twin id table and no fallback is configured',
    });
  });

  it('escapes quotes when rendering a query', () => {
    const s = strategy(`ingest:\n  twinId: { query: "SELECT T FROM digitaltwins T WHERE T.deviceId = '{deviceId}'" }\n`);
    const request = twinIdRequest(s, message("o'brien\\x"));
    expect(request).toEqual(
      expect.objectContaining({ kind: 'query', query: "SELECT T FROM digitaltwins T WHERE T.deviceId = 'o\\'brien\\\\x'" }),
    );
  });
});

describe('createTwinIdResolver', () => {
  const cache = { ttlMs: 1000, negativeTtlMs: 100, maxEntries: 2 };
  const request = (key: string): TwinIdRequest => ({ kind: 'query', key, query: key, cache });
  function setup(rows: Record<string, unknown[]>) {
    let now = 0;
    const calls: string[] = [];
    const resolver = createTwinIdResolver({
      clock: { now: () => now },
      query: async (q) => {
        calls.push(q);
        return rows[q] ?? [];
      },
    });
    return { resolver, calls, advance: (ms: number) => (now += ms) };
  }

  it('caches found twins for the TTL and re-queries after expiry', async () => {
    const { resolver, calls, advance } = setup({ a: [{ T: { $dtId: 't-a', $metadata: { $model: 'dtmi:x:A;1' } } }] });
    expect(await resolver.resolve(request('a'))).toEqual({ ok: true, twins: [{ twinId: 't-a', modelId: 'dtmi:x:A;1' }] });
    advance(999);
    await resolver.resolve(request('a'));
    expect(calls).toEqual(['a']);
    advance(1);
    await resolver.resolve(request('a'));
    expect(calls).toEqual(['a', 'a']);
    expect(resolver.stats()).toEqual(expect.objectContaining({ queries: 2, hits: 1 }));
  });

  it('caches "no twin" for the negative TTL only', async () => {
    const { resolver, calls, advance } = setup({});
    expect(await resolver.resolve(request('none'))).toEqual({ ok: false, reason: 'twin-not-found', detail: 'no twin matches none' });
    advance(99);
    await resolver.resolve(request('none'));
    expect(calls).toHaveLength(1);
    advance(1);
    await resolver.resolve(request('none'));
    expect(calls).toHaveLength(2);
    expect(resolver.stats().negativeHits).toBe(1);
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const { resolver, calls } = setup({ a: [{ $dtId: 'a' }], b: [{ $dtId: 'b' }], c: [{ $dtId: 'c' }] });
    await resolver.resolve(request('a'));
    await resolver.resolve(request('b'));
    await resolver.resolve(request('a')); // a is now most recent
    await resolver.resolve(request('c')); // evicts b
    expect(resolver.stats().size).toBe(2);
    await resolver.resolve(request('a'));
    await resolver.resolve(request('b'));
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
  });

  it('shares one in-flight query between concurrent look-ups and does not cache failures', async () => {
    let release: (rows: unknown[]) => void = () => undefined;
    let calls = 0;
    let fail = false;
    const resolver = createTwinIdResolver({
      clock: { now: () => 0 },
      query: () => {
        calls++;
        if (fail) return Promise.reject(new Error('429 throttled'));
        return new Promise((resolve) => (release = resolve));
      },
    });
    const first = resolver.resolve(request('k'));
    const second = resolver.resolve(request('k'));
    release([{ $dtId: 'x' }]);
    expect(await Promise.all([first, second])).toEqual([
      { ok: true, twins: [{ twinId: 'x' }] },
      { ok: true, twins: [{ twinId: 'x' }] },
    ]);
    expect(calls).toBe(1);
    expect(resolver.stats().sharedInFlight).toBe(1);
    fail = true;
    await expect(resolver.resolve(request('other'))).rejects.toThrow('429 throttled');
    await expect(resolver.resolve(request('other'))).rejects.toThrow('429 throttled');
    expect(calls).toBe(3);
  });
});
