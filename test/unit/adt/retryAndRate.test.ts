import { AdtDeadlineExceededError, AdtRequestError, parseRetryAfter } from '../../../shared/adt/errors';
import { AdtGateway, type CallContext } from '../../../shared/adt/gateway';
import { emptyCallStats } from '../../../shared/adt/retry';
import { FakeClock, FakePort } from './fakes';

function setup(limits = {}) {
  const clock = new FakeClock();
  const port = new FakePort();
  port.addTwin('room-1');
  const gateway = new AdtGateway({
    port,
    clock,
    random: () => 1,
    limits,
    retryPolicy: { baseDelayMs: 100, maxDelayMs: 1000, maxAttempts: 10 },
  });
  const ctx = (deadlineMs = 60_000): CallContext => ({ deadline: clock.now() + deadlineMs, stats: emptyCallStats() });
  return { clock, port, gateway, ctx };
}

describe('gateway retries', () => {
  it('waits exactly Retry-After on 429 and counts the throttle', async () => {
    const { clock, port, gateway, ctx } = setup();
    port.script.set('updateTwin', [{ status: 429, code: 'TooManyRequests', retryAfterMs: 2000 }]);
    const call = ctx();
    await gateway.updateTwin('room-1', [{ op: 'add', path: '/temperature', value: 20 }], call);
    expect(clock.sleeps).toEqual([2000]);
    expect(call.stats).toEqual({ requests: 2, retries: 1, throttled: 1 });
    expect(port.twins.get('room-1')?.temperature).toBe(20);
  });

  it('backs off exponentially on 5xx and timeouts, then succeeds', async () => {
    const { clock, port, gateway, ctx } = setup();
    port.script.set('getTwin', [{ status: 500 }, { status: undefined, code: 'AbortError' }, { status: 502 }]);
    const call = ctx();
    await gateway.getTwin('room-1', call);
    // random() = 1 → the full step: 100, 200, 400 ms.
    expect(clock.sleeps).toEqual([100, 200, 400]);
    expect(call.stats.retries).toBe(3);
    expect(call.stats.throttled).toBe(0);
  });

  it('uses backoff for 503 without Retry-After', async () => {
    const { clock, port, gateway, ctx } = setup();
    port.script.set('getTwin', [{ status: 503 }]);
    await gateway.getTwin('room-1', ctx());
    expect(clock.sleeps).toEqual([100]);
  });

  it('gives up at the deadline with an error that says the batch will be redelivered', async () => {
    const { port, gateway, ctx } = setup();
    port.script.set(
      'updateTwin',
      Array.from({ length: 20 }, () => ({ status: 429, retryAfterMs: 3000 })),
    );
    const call = ctx(10_000);
    const failure = gateway.updateTwin('room-1', [{ op: 'add', path: '/temperature', value: 1 }], call);
    await expect(failure).rejects.toBeInstanceOf(AdtDeadlineExceededError);
    await expect(failure).rejects.toThrow(/redelivered/);
    // 0 s, 3 s, 6 s, 9 s sent; the next wait would end past 10 s.
    expect(port.count('updateTwin')).toBe(4);
    expect(call.stats.throttled).toBe(4);
  });

  it('does not retry a permanent failure', async () => {
    const { port, gateway, ctx } = setup();
    port.script.set('updateTwin', [{ status: 400, code: 'JsonPatchInvalid', message: 'Unsupported operation type move.' }]);
    const call = ctx();
    await expect(gateway.updateTwin('room-1', [{ op: 'add', path: '/x', value: 1 }], call)).rejects.toMatchObject({
      kind: 'permanent',
      status: 400,
    });
    expect(port.count('updateTwin')).toBe(1);
    expect(call.stats.retries).toBe(0);
  });

  it('parses Retry-After seconds, fractions and HTTP dates', () => {
    expect(parseRetryAfter('1', 0)).toBe(1000);
    expect(parseRetryAfter('0.2', 0)).toBe(200);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', 1000)).toBe(4000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('classifies ADT errors by status and code', () => {
    expect(new AdtRequestError('x', 404, 'DigitalTwinNotFound').kind).toBe('twinNotFound');
    expect(new AdtRequestError('Could not resolve path /sensor/battery.', 400, 'JsonPatchInvalid').kind).toBe('unresolvablePath');
    expect(new AdtRequestError('Invalid twin specified', 400, 'ValidationFailed').kind).toBe('validationFailed');
    expect(new AdtRequestError('x', 412, 'PreconditionFailed').kind).toBe('preconditionFailed');
    expect(new AdtRequestError('x', 501, undefined).kind).toBe('permanent');
    expect(new AdtRequestError('x', 504, undefined).kind).toBe('transient');
  });
});

/** Most operations inside any half-open one-second window [t, t + 1000). */
function maxInAnySecond(times: number[]): number {
  return Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
}

describe('gateway rate budgets and serialisation', () => {
  it('holds one twin to its per-twin write budget', async () => {
    const { clock, gateway, ctx } = setup({ twinWritesPerSecond: 10 });
    const call = ctx();
    const sentAt: number[] = [];
    for (let i = 0; i < 25; i += 1) {
      await gateway.updateTwin('room-1', [{ op: 'add', path: '/temperature', value: i }], call);
      sentAt.push(clock.now());
    }
    // ADT counts a sliding one-second window: no window may hold more than 10 writes.
    expect(maxInAnySecond(sentAt)).toBeLessThanOrEqual(10);
    expect(maxInAnySecond(sentAt)).toBeGreaterThanOrEqual(9);
    expect(sentAt[24]! - sentAt[0]!).toBeLessThan(3000);
  });

  it('holds the instance to its patch budget across twins', async () => {
    const { clock, port, gateway, ctx } = setup({ patchesPerSecond: 5, twinWritesPerSecond: 100 });
    for (let i = 0; i < 10; i += 1) port.addTwin(`t${i}`);
    const call = ctx();
    const sentAt: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      await gateway.updateTwin(`t${i}`, [{ op: 'add', path: '/temperature', value: i }], call);
      sentAt.push(clock.now());
    }
    expect(maxInAnySecond(sentAt)).toBeLessThanOrEqual(5);
    expect(maxInAnySecond(sentAt)).toBeGreaterThanOrEqual(4);
  });

  it('never has two requests in flight for one twin, but runs different twins in parallel up to the limit', async () => {
    const clock = new FakeClock();
    const port = new FakePort();
    port.delayMs = 5;
    for (let i = 0; i < 6; i += 1) port.addTwin(`t${i}`);
    const gateway = new AdtGateway({ port, clock, limits: { maxConcurrency: 3, twinWritesPerSecond: 1000 } });
    const call: CallContext = { deadline: clock.now() + 60_000, stats: emptyCallStats() };
    const writes = [];
    for (let round = 0; round < 4; round += 1) {
      for (let i = 0; i < 6; i += 1) writes.push(gateway.updateTwin(`t${i}`, [{ op: 'add', path: '/temperature', value: round }], call));
    }
    await Promise.all(writes);
    expect(port.maxInFlightPerTwin).toBe(1);
    expect(port.maxInFlight).toBe(3);
    // Serial per twin, so the last write wins everywhere.
    for (let i = 0; i < 6; i += 1) expect(port.twins.get(`t${i}`)?.temperature).toBe(3);
  });
});
