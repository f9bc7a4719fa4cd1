import { AdtError } from '../../../local/emulator/errors';
import { FaultInjector } from '../../../local/emulator/faults';

type Outcome = 'ok' | 'reset' | number;

async function outcome(faults: FaultInjector, twinId?: string, op: 'twin.read' | 'twin.patch' = 'twin.patch'): Promise<Outcome> {
  try {
    return (await faults.beforeRequest({ method: 'PATCH', path: `/digitaltwins/${twinId ?? 'x'}`, op, twinId })) === 'reset'
      ? 'reset'
      : 'ok';
  } catch (error) {
    if (error instanceof AdtError) return error.status;
    throw error;
  }
}

async function run(faults: FaultInjector, n: number): Promise<Outcome[]> {
  const results: Outcome[] = [];
  for (let i = 0; i < n; i++) results.push(await outcome(faults));
  return results;
}

describe('FaultInjector', () => {
  test('no options, no faults', async () => {
    const faults = new FaultInjector();
    expect(await run(faults, 50)).toEqual(Array(50).fill('ok'));
    expect(faults.counters()).toEqual({ requests: 50, errors: 0, twinFailures: 0, resets: 0, delays: 0 });
  });

  test('a seeded error rate is deterministic and close to the requested share', async () => {
    const a = await run(new FaultInjector({ errorRate: 0.2, seed: 42 }), 1000);
    const b = await run(new FaultInjector({ errorRate: 0.2, seed: 42 }), 1000);
    const c = await run(new FaultInjector({ errorRate: 0.2, seed: 7 }), 1000);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const errors = a.filter((o) => o !== 'ok');
    expect(errors.length).toBeGreaterThan(150);
    expect(errors.length).toBeLessThan(250);
    expect(new Set(errors)).toEqual(new Set([500, 503]));
  });

  test('injected 500/503 carry ADT-style codes and optional Retry-After on 503', async () => {
    const faults = new FaultInjector({ errorRate: 1, errorStatuses: [503], retryAfterOn503: 0.5, seed: 1 });
    await expect(faults.beforeRequest({ method: 'GET', path: '/x' })).rejects.toMatchObject({
      status: 503,
      code: 'ServiceUnavailable',
      headers: { 'Retry-After': '1' },
    });
    faults.update({ errorStatuses: [500] });
    const error = await faults.beforeRequest({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, code: 'InternalServerError', headers: undefined });
    expect((error as AdtError).toBody().error.message).toContain('fault injector');
  });

  test('a fractional retryAfterOn503 is sent as whole seconds, at least 1', async () => {
    const faults = new FaultInjector({ errorRate: 1, errorStatuses: [503], retryAfterOn503: 0.05, seed: 1 });
    await expect(faults.beforeRequest({ method: 'GET', path: '/x' })).rejects.toMatchObject({ headers: { 'Retry-After': '1' } });
    faults.update({ retryAfterOn503: 2.2 });
    await expect(faults.beforeRequest({ method: 'GET', path: '/x' })).rejects.toMatchObject({ headers: { 'Retry-After': '3' } });
  });

  test('a named twin fails exactly N times, others never', async () => {
    const faults = new FaultInjector({ failTwins: { 'room-1': { status: 503, count: 3 } } });
    const room1 = [];
    for (let i = 0; i < 6; i++) room1.push(await outcome(faults, 'room-1'));
    expect(room1).toEqual([503, 503, 503, 'ok', 'ok', 'ok']);
    expect(await outcome(faults, 'room-2')).toBe('ok');
    expect(faults.counters().twinFailures).toBe(3);
  });

  test('a named twin can fail always, only for chosen ops, with a chosen code', async () => {
    const faults = new FaultInjector({ failTwins: { hot: { status: 429, code: 'TooManyRequests', ops: ['twin.patch'] } } });
    for (let i = 0; i < 4; i++) expect(await outcome(faults, 'hot', 'twin.patch')).toBe(429);
    expect(await outcome(faults, 'hot', 'twin.read')).toBe('ok');
    faults.update({ failTwins: {} });
    expect(await outcome(faults, 'hot', 'twin.patch')).toBe('ok');
  });

  test('seeded connection resets', async () => {
    const a = await run(new FaultInjector({ resetRate: 0.3, seed: 9 }), 200);
    const b = await run(new FaultInjector({ resetRate: 0.3, seed: 9 }), 200);
    expect(a).toEqual(b);
    const resets = a.filter((o) => o === 'reset').length;
    expect(resets).toBeGreaterThan(30);
    expect(resets).toBeLessThan(90);
  });

  test('latency is applied and counted; reset() clears everything', async () => {
    const faults = new FaultInjector({ latencyMs: 2, slowRate: 1, slowMs: 1, seed: 3 });
    await run(faults, 3);
    expect(faults.counters().delays).toBe(3);
    faults.reset();
    expect(faults.counters()).toEqual({ requests: 0, errors: 0, twinFailures: 0, resets: 0, delays: 0 });
    await run(faults, 2);
    expect(faults.counters().delays).toBe(0);
  });
});
