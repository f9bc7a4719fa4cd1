// The one source-time rule. ADT keeps sourceTime with up to 7 fractional digits and Date keeps 3, so
// two readings within one millisecond must still order: times compare at nanosecond resolution.
// An unparseable time sorts oldest: it never wins against a real time and never blocks one.

const fractionPattern = /\.(\d+)/;

/**
 * Keys of the times seen lately: a batch compares the same few strings many times (each winner
 * against every later value of its property, each value against the stored time), and parsing is
 * the cost. Bounded: cleared when full.
 */
const recentKeys = new Map<string, [number, number] | undefined>();
const recentKeysCapacity = 50_000;

function orderKey(iso: string): [number, number] | undefined {
  if (recentKeys.has(iso)) return recentKeys.get(iso);
  const key = parseOrderKey(iso);
  if (recentKeys.size >= recentKeysCapacity) recentKeys.clear();
  recentKeys.set(iso, key);
  return key;
}

/** [whole milliseconds, nanoseconds within the second], or undefined when `iso` is not a date-time. */
function parseOrderKey(iso: string): [number, number] | undefined {
  const fraction = fractionPattern.exec(iso)?.[1];
  const milliseconds = Date.parse(fraction === undefined ? iso : iso.replace(fractionPattern, ''));
  if (Number.isNaN(milliseconds)) return undefined;
  return [milliseconds, fraction === undefined ? 0 : Number(fraction.slice(0, 9).padEnd(9, '0'))];
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer; unparseable sorts oldest. */
export function compareSourceTimes(a: string, b: string): number {
  if (a === b) return 0;
  const ka = orderKey(a);
  const kb = orderKey(b);
  if (!ka || !kb) return ka ? 1 : kb ? -1 : 0;
  return ka[0] - kb[0] || ka[1] - kb[1];
}

/** True when `candidate` is strictly older than `stored` (nothing stored = never older). */
export function isOlder(candidate: string, stored: string | undefined): boolean {
  return stored !== undefined && compareSourceTimes(candidate, stored) < 0;
}

/** The newest of `times`, or undefined for none. */
export function latestSourceTime(times: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const time of times) if (best === undefined || compareSourceTimes(time, best) > 0) best = time;
  return best;
}
