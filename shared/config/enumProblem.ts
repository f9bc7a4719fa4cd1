// The line for a value outside an enum: what was written, what is allowed, and the allowed value
// the writer most likely meant. Edit distance alone misses abbreviations ("avrage" → avg is three
// edits), so an allowed value whose letters appear in order in the written one counts as close too.
import { closestNames } from '../common';

const bare = (value: unknown): string => (typeof value === 'string' && /^[A-Za-z][\w-]*$/.test(value) ? value : JSON.stringify(value));

/** True when every character of `short` appears in `long` in order, starting with the same letter. */
function isAbbreviationOf(short: string, long: string): boolean {
  if (short.length < 2 || short[0] !== long[0]) return false;
  let at = 0;
  for (const char of long) if (char === short[at]) at++;
  return at === short.length;
}

export function suggestAllowed(written: string, allowed: readonly string[]): string[] {
  const close = closestNames(written, allowed);
  if (close.length > 0) return close;
  const lower = written.toLowerCase();
  return allowed.filter((a) => isAbbreviationOf(a.toLowerCase(), lower) || isAbbreviationOf(lower, a.toLowerCase())).slice(0, 3);
}

/** `"avrage" is not one of copy, avg, … — did you mean "avg"?` */
export function enumProblem(written: unknown, allowed: readonly unknown[]): string {
  const list = allowed.map(bare).join(', ');
  if (written === undefined) return `must be one of ${list}`;
  const strings = allowed.filter((a): a is string => typeof a === 'string');
  const suggestions = typeof written === 'string' ? suggestAllowed(written, strings) : [];
  const hint = suggestions.length > 0 ? ` — did you mean ${suggestions.map((s) => `"${s}"`).join(' or ')}?` : '';
  return `${JSON.stringify(written)} is not one of ${list}${hint}`;
}
