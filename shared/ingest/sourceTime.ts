// Orders ISO 8601 timestamps at full precision: ADT stores 7 fractional digits, Date keeps 3, and two
// readings within the same millisecond must still order correctly.

const fractionPattern = /\.(\d+)/;

function key(iso: string): [number, number] | undefined {
  const fraction = fractionPattern.exec(iso)?.[1] ?? '';
  const seconds = Date.parse(iso.replace(fractionPattern, ''));
  if (Number.isNaN(seconds)) return undefined;
  return [seconds, Number(fraction.padEnd(9, '0').slice(0, 9))];
}

/** Negative when a is older than b, 0 when equal, positive when newer; unparseable sorts oldest. */
export function compareSourceTimes(a: string, b: string): number {
  const ka = key(a);
  const kb = key(b);
  if (!ka || !kb) return ka ? 1 : kb ? -1 : 0;
  return ka[0] - kb[0] || ka[1] - kb[1];
}
