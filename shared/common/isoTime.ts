// ISO 8601 UTC date-times ending in `Z` are what devices and IoT Hub send nearly always, and every
// message carries one or two. Reading them by character code costs a fraction of regex + Date.parse
// and allocates nothing; anything else (an offset, no zone, a leap second…) goes to Date.parse, so
// the answer is always Date.parse's.

const zero = 48;

/** The number in `count` ASCII digits at `start`, or -1 when one of them is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - zero;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian; month 1–12, day may overflow as in Date.UTC). */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  return era * 146097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719468;
}

/** The two-digit number at `start`, or -1 (the fields of a date-time: unrolled, as it runs per message). */
function twoDigitsAt(text: string, start: number): number {
  const tens = text.charCodeAt(start) - zero;
  const ones = text.charCodeAt(start + 1) - zero;
  return tens < 0 || tens > 9 || ones < 0 || ones > 9 ? -1 : tens * 10 + ones;
}

/**
 * True when `text` starts with `YYYY-MM-DDTHH:MM:SS` of a real calendar time. Years below 100, hour
 * 24 and a day past the month's end (Date.parse rolls it over) are left to Date.parse: what passes
 * here is an ordinary time, so two such strings of one shape order as text as they do in time.
 */
function secondsValid(text: string): boolean {
  if (
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  )
    return false;
  const century = twoDigitsAt(text, 0);
  const yearOfCentury = twoDigitsAt(text, 2);
  if (century < 1 || yearOfCentury < 0) return false;
  const month = twoDigitsAt(text, 5);
  const day = twoDigitsAt(text, 8);
  const hour = twoDigitsAt(text, 11);
  const minute = twoDigitsAt(text, 14);
  const second = twoDigitsAt(text, 17);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(century * 100 + yearOfCentury, month) &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59
  );
}

/**
 * Milliseconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (fraction of 1–9 digits,
 * truncated to milliseconds as Date.parse does), or -1 when `text` has another shape.
 */
function fastUtcMillis(text: string): number {
  const length = text.length;
  if (length < 20 || length > 30 || text.charCodeAt(length - 1) !== 90 /* Z */ || !secondsValid(text)) return -1;
  let millis = 0;
  if (length > 20) {
    const fractionDigits = length - 21;
    if (text.charCodeAt(19) !== 46 /* . */ || fractionDigits < 1 || fractionDigits > 9) return -1;
    const fraction = digitsAt(text, 20, fractionDigits);
    if (fraction < 0) return -1;
    millis = fractionDigits >= 3 ? Math.floor(fraction / 10 ** (fractionDigits - 3)) : fraction * 10 ** (3 - fractionDigits);
  }
  const year = twoDigitsAt(text, 0) * 100 + twoDigitsAt(text, 2);
  const days = daysSinceEpoch(year, twoDigitsAt(text, 5), twoDigitsAt(text, 8));
  return ((days * 24 + twoDigitsAt(text, 11)) * 60 + twoDigitsAt(text, 14)) * 60_000 + twoDigitsAt(text, 17) * 1000 + millis;
}

/** Milliseconds since the epoch of a date-time string, NaN when it is not one (as Date.parse). */
export function parseIsoMillis(text: string): number {
  const millis = fastUtcMillis(text);
  return millis === -1 ? Date.parse(text) : millis;
}

/**
 * True when `text` is already the canonical form toISOString gives (`…T12:00:00.000Z`) of a real
 * calendar time (no day past the month's end): such strings order as text as they do in time.
 */
export function isCanonicalUtc(text: string): boolean {
  return (
    text.length === 24 &&
    text.charCodeAt(19) === 46 &&
    text.charCodeAt(23) === 90 &&
    twoDigitsAt(text, 20) >= 0 &&
    twoDigitsAt(text, 21) >= 0 &&
    secondsValid(text)
  );
}
