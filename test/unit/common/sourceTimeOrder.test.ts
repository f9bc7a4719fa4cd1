// The one source-time order, with its memo of recently parsed times: same answers as parsing every
// time, at nanosecond resolution, unparseable times oldest — also for strings seen before.
import { compareSourceTimes, isOlder, latestSourceTime } from '../../../shared/common';

it('orders at 100-ns resolution across formats, unparseable oldest, repeatably', () => {
  for (let round = 0; round < 2; round++) {
    expect(compareSourceTimes('2024-06-01T12:00:00.1234567Z', '2024-06-01T12:00:00.1234568Z')).toBeLessThan(0);
    expect(compareSourceTimes('2024-06-01T12:00:00.5Z', '2024-06-01T12:00:00Z')).toBeGreaterThan(0);
    expect(compareSourceTimes('2024-06-01T14:00:00+02:00', '2024-06-01T12:00:00Z')).toBe(0);
    expect(compareSourceTimes('not a time', '2024-06-01T12:00:00Z')).toBeLessThan(0);
    expect(compareSourceTimes('not a time', 'not a time')).toBe(0);
    expect(isOlder('2024-06-01T12:00:00Z', '2024-06-01T12:00:00.0000001Z')).toBe(true);
    expect(isOlder('2024-06-01T12:00:00Z', undefined)).toBe(false);
    expect(latestSourceTime(['2024-06-01T12:00:01Z', '2024-06-01T12:00:03Z', '2024-06-01T12:00:02Z'])).toBe('2024-06-01T12:00:03Z');
  }
});

it('stays right past the memo capacity', () => {
  const base = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 60_000; i++) {
    const a = new Date(base + i).toISOString();
    const b = new Date(base + i + 1).toISOString();
    if (compareSourceTimes(a, b) >= 0) throw new Error(`${a} should be older than ${b}`);
  }
  expect(compareSourceTimes(new Date(base).toISOString(), new Date(base + 1).toISOString())).toBeLessThan(0);
});
