// The character-code reader of ISO 8601 times must give exactly Date.parse's answer for every string,
// valid or not: it replaces Date.parse on the hot path, so any difference would reorder values.
import { isCanonicalUtc, parseIsoMillis } from '../../../shared/common';

/** A small deterministic generator (xorshift), so a failure names a string that fails again. */
function generator(seed: number): (low: number, high: number) => number {
  let state = seed;
  return (low, high) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return low + ((state >>> 0) % (high - low + 1));
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

it('agrees with Date.parse on 200,000 generated date-times, out-of-range fields included', () => {
  const next = generator(20261201);
  const disagreements: string[] = [];
  for (let i = 0; i < 200_000; i++) {
    const fraction = [
      '',
      `.${pad(next(0, 9), 1)}`,
      `.${pad(next(0, 99), 2)}`,
      `.${pad(next(0, 999), 3)}`,
      `.${pad(next(0, 9_999_999), 7)}`,
      `.${pad(next(0, 999_999_999), 9)}`,
    ][next(0, 5)];
    const text = `${pad(next(0, 9999), 4)}-${pad(next(0, 13), 2)}-${pad(next(0, 32), 2)}T${pad(next(0, 24), 2)}:${pad(next(0, 60), 2)}:${pad(next(0, 60), 2)}${fraction}Z`;
    const ours = parseIsoMillis(text);
    const theirs = Date.parse(text);
    if (!(ours === theirs || (Number.isNaN(ours) && Number.isNaN(theirs)))) disagreements.push(`${text}: ${ours} vs ${theirs}`);
  }
  expect(disagreements.slice(0, 5)).toEqual([]);
});

it('hands other shapes to Date.parse', () => {
  for (const text of [
    '2024-06-01T12:00:00+02:00',
    '2024-06-01T12:00:00',
    '2024-06-01 12:00:00Z',
    '2024-06-01T12:00:00.1234567890Z',
    'not a time',
    '',
    '2024-06-01T12:00:00.Z',
  ]) {
    const ours = parseIsoMillis(text);
    const theirs = Date.parse(text);
    expect(Number.isNaN(ours) ? 'NaN' : ours).toEqual(Number.isNaN(theirs) ? 'NaN' : theirs);
  }
});

it('knows the canonical toISOString form and nothing else', () => {
  expect(isCanonicalUtc('2024-06-01T12:00:00.000Z')).toBe(true);
  expect(isCanonicalUtc(new Date(Date.UTC(2031, 11, 31, 23, 59, 59, 999)).toISOString())).toBe(true);
  for (const text of [
    '2024-06-01T12:00:00Z',
    '2024-06-01T12:00:00.0000Z',
    '2024-06-01T12:00:60.000Z',
    '2024-13-01T12:00:00.000Z',
    '2024-06-01T12:00:00.000+00:00',
    '2024-06-01T12:00:00.00aZ',
  ]) {
    expect(isCanonicalUtc(text)).toBe(false);
  }
});

it('calls a day past the month end not canonical (Date.parse rolls it over), so canonical times order as text', () => {
  expect(isCanonicalUtc('2024-02-29T00:00:00.000Z')).toBe(true);
  for (const text of ['2023-02-29T00:00:00.000Z', '2024-02-30T00:00:00.000Z', '2024-04-31T00:00:00.000Z', '2100-02-29T00:00:00.000Z'])
    expect(isCanonicalUtc(text)).toBe(false);
  expect(parseIsoMillis('2024-02-30T00:00:00.000Z')).toBe(Date.parse('2024-03-01T00:00:00.000Z'));
});

it('refuses a non-digit anywhere in the date-time', () => {
  const good = '2024-06-01T12:34:56.789Z';
  for (const position of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22]) {
    const text = `${good.slice(0, position)}x${good.slice(position + 1)}`;
    expect(isCanonicalUtc(text)).toBe(false);
    expect(parseIsoMillis(text)).toBeNaN();
  }
});
