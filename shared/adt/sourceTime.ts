// ADT keeps sourceTime with up to 7 fractional digits; Date.parse would drop everything below a
// millisecond, so two updates 100 µs apart would look equal. Compare at nanosecond resolution.

const fraction = /\.(\d+)/;

/** Nanoseconds since the epoch, or undefined when `iso` is not a date-time. */
export function toEpochNanos(iso: string): bigint | undefined {
  const match = fraction.exec(iso);
  const wholeSeconds = Date.parse(match ? iso.replace(fraction, '') : iso);
  if (Number.isNaN(wholeSeconds)) return undefined;
  const nanos = match?.[1] ? BigInt(match[1].slice(0, 9).padEnd(9, '0')) : 0n;
  return BigInt(wholeSeconds) * 1_000_000n + nanos;
}

/** True when `candidate` is strictly older than `stored`; unparseable values are never "older". */
export function isOlder(candidate: string, stored: string | undefined): boolean {
  if (stored === undefined) return false;
  const a = toEpochNanos(candidate);
  const b = toEpochNanos(stored);
  return a !== undefined && b !== undefined && a < b;
}

export function latest(times: string[]): string | undefined {
  let best: string | undefined;
  for (const time of times) if (best === undefined || isOlder(best, time)) best = time;
  return best;
}
