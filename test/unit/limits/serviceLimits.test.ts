import { AdtError } from '../../../local/emulator/errors';
import { retryAfterSeconds, ServiceLimits } from '../../../local/emulator/limits';
import type { OperationKind } from '../../../local/emulator/types';

function attempt(limits: ServiceLimits, op: OperationKind, twins: string[], now: number): AdtError | undefined {
  try {
    limits.check(op, twins, now);
    return undefined;
  } catch (error) {
    if (error instanceof AdtError) return error;
    throw error;
  }
}

describe('ServiceLimits', () => {
  test('25 writes to one twin within a second: exactly 15 throttled, Retry-After = time until the oldest slot frees', () => {
    const limits = new ServiceLimits();
    const results = Array.from({ length: 25 }, (_, i) => attempt(limits, 'twin.patch', ['room-1'], 1000 + i * 10));
    const throttled = results.filter((r) => r !== undefined);
    expect(throttled).toHaveLength(15);
    expect(results.slice(0, 10).every((r) => r === undefined)).toBe(true);
    const first = throttled[0]!;
    expect(first.status).toBe(429);
    expect(first.code).toBe('TooManyRequests');
    expect(first.message).toContain("twin 'room-1'");
    // 11th write at t=1100; the first write (t=1000) leaves the window at t=2000 → 0.9 s, sent as 1 (whole seconds).
    expect(first.headers).toEqual({ 'Retry-After': '1' });
    expect(limits.counters()['twin.patch']).toEqual({ allowed: 10, throttled: 15 });
  });

  test('a slot frees exactly one second after the op that took it', () => {
    const limits = new ServiceLimits();
    for (let i = 0; i < 10; i++) expect(attempt(limits, 'twin.patch', ['t'], 0)).toBeUndefined();
    // 1 ms left is still announced as 1 s: Retry-After is whole seconds and never 0.
    expect(attempt(limits, 'twin.patch', ['t'], 999)?.headers).toEqual({ 'Retry-After': '1' });
    expect(attempt(limits, 'twin.patch', ['t'], 1000)).toBeUndefined();
  });

  test('relationship writes count against both twins; other twins are unaffected', () => {
    const limits = new ServiceLimits();
    for (let i = 0; i < 10; i++) expect(attempt(limits, 'relationship.create', ['floor', `room-${i}`], 0)).toBeUndefined();
    expect(attempt(limits, 'twin.patch', ['floor'], 1)?.status).toBe(429);
    expect(attempt(limits, 'twin.patch', ['room-0'], 1)).toBeUndefined();
    expect(attempt(limits, 'twin.patch', ['lobby'], 1)).toBeUndefined();
  });

  test('instance-wide create/delete limit across twins', () => {
    const limits = new ServiceLimits({ createsDeletesPerSecond: 5 });
    const results = Array.from({ length: 8 }, (_, i) => attempt(limits, i % 2 ? 'twin.delete' : 'twin.create', [`t${i}`], 0));
    expect(results.filter((r) => r?.status === 429)).toHaveLength(3);
    expect(limits.counters()).toMatchObject({ 'twin.create': { allowed: 3, throttled: 1 }, 'twin.delete': { allowed: 2, throttled: 2 } });
  });

  test('queries are throttled with QuotaReachedError; reads are not limited by writes', () => {
    const limits = new ServiceLimits({ queriesPerSecond: 2 });
    attempt(limits, 'query', [], 0);
    attempt(limits, 'query', [], 0);
    const error = attempt(limits, 'query', [], 500);
    expect(error?.code).toBe('QuotaReachedError');
    expect(error?.headers).toEqual({ 'Retry-After': '1' });
    expect(attempt(limits, 'twin.read', ['t'], 500)).toBeUndefined();
  });

  test("retryAfter 'none' omits the header (Azure SDK issue #25647)", () => {
    const limits = new ServiceLimits({ modelRequestsPerSecond: 1, retryAfter: 'none' });
    attempt(limits, 'model.read', [], 0);
    const error = attempt(limits, 'model.write', [], 0);
    expect(error?.status).toBe(429);
    expect(error?.headers).toBeUndefined();
  });

  test('the injected clock is used when no time is passed; update() and reset()', () => {
    let now = 0;
    const limits = new ServiceLimits({ routeRequestsPerSecond: 1, now: () => now });
    limits.check('route.write');
    expect(() => limits.check('route.read')).toThrow(AdtError);
    now = 1000;
    limits.check('route.read');
    limits.update({ enabled: false });
    for (let i = 0; i < 5; i++) limits.check('route.read');
    expect(limits.counters()['route.read']).toEqual({ allowed: 6, throttled: 1 });
    limits.update({ enabled: true });
    limits.reset();
    expect(limits.counters()).toEqual({});
    limits.check('route.read');
    expect(() => limits.check('route.read')).toThrow('Rate limit exceeded');
  });

  test('payload and string size limits', () => {
    const limits = new ServiceLimits();
    expect(() => limits.checkPayload(32 * 1024)).not.toThrow();
    expect(() => limits.checkPayload(32 * 1024 + 1)).toThrow(expect.objectContaining({ status: 413 }) as Error);
    expect(() => limits.checkStrings({ a: { b: ['x'.repeat(4096)] } })).not.toThrow();
    let error: unknown;
    try {
      limits.checkStrings({ a: { b: ['ok', 'é'.repeat(2049)] } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AdtError);
    expect((error as AdtError).code).toBe('ValidationFailed');
    expect((error as AdtError).details?.[0]?.message).toContain('/a/b/1 is 4098 bytes');
  });
});

describe('retryAfterSeconds', () => {
  test.each([
    [0, 1],
    [1, 1],
    [955, 1],
    [1000, 1],
    [1001, 2],
    [2500, 3],
  ])('%d ms → %d s (whole seconds, at least 1)', (waitMs, seconds) => {
    expect(retryAfterSeconds(waitMs)).toBe(seconds);
  });
});

describe('model upload size (1 MB per model)', () => {
  const ofSize = (bytes: number): Record<string, unknown> => {
    const model = { '@id': 'dtmi:test:M;1', description: '' };
    return { ...model, description: 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify(model))) };
  };

  test('exactly 1 MB passes, 1 byte more is LimitExceeded naming the model; the call as a whole may be larger', () => {
    const limits = new ServiceLimits();
    expect(Buffer.byteLength(JSON.stringify(ofSize(1024 * 1024)))).toBe(1024 * 1024);
    expect(() => limits.checkBody([ofSize(1024 * 1024), ofSize(1024 * 1024)], 'models')).not.toThrow();
    expect(() => limits.checkBody([ofSize(100), ofSize(1024 * 1024 + 1)], 'models')).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'LimitExceeded',
        message: expect.stringContaining('dtmi:test:M;1 is 1048577 bytes') as string,
      }) as Error,
    );
  });

  test('model bodies skip the 32 KB request limit and the 4 KB string limit; other bodies keep both', () => {
    const limits = new ServiceLimits();
    expect(() => limits.checkPayload(5 * 1024 * 1024, 'models')).not.toThrow();
    expect(() => limits.checkBody([ofSize(10 * 1024)], 'models')).not.toThrow();
    expect(() => limits.checkPayload(32 * 1024 + 1)).toThrow(expect.objectContaining({ status: 413 }) as Error);
    expect(() => limits.checkBody({ note: 'x'.repeat(4 * 1024 + 1) })).toThrow(
      expect.objectContaining({ code: 'ValidationFailed' }) as Error,
    );
  });

  test('maxModelBytes is configurable, and disabled limits check nothing', () => {
    expect(() => new ServiceLimits({ maxModelBytes: 100 }).checkBody([ofSize(101)], 'models')).toThrow(
      expect.objectContaining({ code: 'LimitExceeded' }) as Error,
    );
    expect(() => new ServiceLimits({ enabled: false }).checkBody([ofSize(2 * 1024 * 1024)], 'models')).not.toThrow();
  });

  test('the HTTP layer may read up to 64 MB for a model upload, 16 MB otherwise', () => {
    const limits = new ServiceLimits();
    expect(limits.bodyCap('models')).toBe(64 * 1024 * 1024);
    expect(limits.bodyCap('request')).toBe(16 * 1024 * 1024);
  });
});
