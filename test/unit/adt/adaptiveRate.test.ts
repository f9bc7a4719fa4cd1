// Budgets that hold across instances without coordination: start at this instance's share of ADT's
// limit, halve on a 429 (once per second), wait out Retry-After for every caller, grow back while
// requests succeed, and never exceed the limit in one process.
import { AdaptiveRate } from '../../../shared/adt/adaptiveRate';
import { AdtGateway } from '../../../shared/adt/gateway';
import { slidingWindowBudget } from '../../../shared/adt/rateLimiter';
import { emptyCallStats } from '../../../shared/adt/retry';
import { FakeClock, FakePort } from './fakes';

describe('AdaptiveRate', () => {
  it('starts at ceiling / instances, halves once per second of 429s, grows 2 %/s and never passes the ceiling', () => {
    const clock = new FakeClock();
    const rate = new AdaptiveRate(clock, { ceiling: 1000, instances: 8 });
    expect(rate.perSecond).toBe(125);
    rate.throttled(undefined);
    rate.throttled(undefined); // same second: one decrease
    expect(rate.perSecond).toBe(62.5);
    clock.time += 1000; // no growth within the second after a decrease
    expect(rate.perSecond).toBe(62.5);
    clock.time += 10_000; // +20/s per second of calm
    expect(rate.perSecond).toBeCloseTo(262.5);
    clock.time += 3_600_000;
    expect(rate.perSecond).toBe(1000);
  });

  it('never drops below its floor and pauses for Retry-After', () => {
    const clock = new FakeClock();
    const rate = new AdaptiveRate(clock, { ceiling: 100, instances: 1 });
    for (let i = 0; i < 20; i++) {
      rate.throttled(3000);
      clock.time += 1000;
    }
    expect(rate.perSecond).toBe(10);
    expect(rate.resumeAt).toBe(clock.time + 2000);
  });
});

describe('gateway budgets', () => {
  const call = (clock: FakeClock) => ({ deadline: clock.now() + 600_000, stats: emptyCallStats() });

  it('start at a share of ADT limits per ADT_MAX_INSTANCES and slow every caller down after a 429', async () => {
    const clock = new FakeClock();
    const port = new FakePort();
    for (let i = 0; i < 50; i++) port.addTwin(`t${i}`);
    const gateway = new AdtGateway({ port, clock, limits: { instances: 4 } });
    expect(gateway.budgets().writes).toBeCloseTo(950 / 4);

    port.script.set('updateTwin', [{ status: 429, code: 'TooManyRequests', retryAfterMs: 2000 }]);
    const started = clock.now();
    await gateway.updateTwin('t0', [{ op: 'add', path: '/temperature', value: 1 }], call(clock));
    // The throttled request waited its Retry-After; the budget halved.
    expect(clock.now() - started).toBeGreaterThanOrEqual(2000);
    expect(gateway.budgets().writes).toBeCloseTo(950 / 8);
    // A caller that was not throttled itself also holds until Retry-After: here it has passed already.
    const before = clock.now();
    await gateway.updateTwin('t1', [{ op: 'add', path: '/temperature', value: 1 }], call(clock));
    expect(clock.now() - before).toBeLessThan(50);
  });

  it('hold every caller until the Retry-After a 429 asked for', async () => {
    const clock = new FakeClock();
    const port = new FakePort();
    port.addTwin('a');
    port.addTwin('b');
    const gateway = new AdtGateway({ port, clock });
    port.script.set('updateTwin', [{ status: 429, code: 'TooManyRequests', retryAfterMs: 5000 }]);
    const first = gateway.updateTwin('a', [{ op: 'add', path: '/temperature', value: 1 }], call(clock));
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    const second = gateway.updateTwin('b', [{ op: 'add', path: '/temperature', value: 2 }], call(clock));
    await Promise.all([first, second]);
    const sentB = port.calls.filter((c) => c.method === 'updateTwin' && c.twinId === 'b');
    expect(sentB).toHaveLength(1);
    expect(clock.sleeps.some((ms) => ms >= 4000)).toBe(true);
  });
});

describe('sliding-window budgets', () => {
  it('leave room for network jitter: a share of the limit, and always one below it', () => {
    expect(slidingWindowBudget(1000)).toEqual({ burst: 1, perSecond: 950 });
    expect(slidingWindowBudget(100)).toEqual({ burst: 1, perSecond: 95 });
    expect(slidingWindowBudget(10)).toEqual({ burst: 1, perSecond: 9 });
    expect(slidingWindowBudget(1)).toEqual({ burst: 1, perSecond: 1 });
  });
});
