import { errorMessage } from '../../common';
// Matchers for rule selection: exact text, a glob (`thermo-*`, `dtmi:example:*;?`) or a regular
// expression written between slashes (`/^thermo-\d+$/i`). Compiled once at config load.

export type Matcher = (value: string | undefined) => boolean;

const regexLiteral = /^\/(.*)\/([a-z]*)$/s;

export function compileMatcher(patterns: string | readonly string[]): Matcher | string[] {
  const list = typeof patterns === 'string' ? [patterns] : patterns;
  const errors: string[] = [];
  const tests: Array<(value: string) => boolean> = [];
  for (const pattern of list) {
    const literal = regexLiteral.exec(pattern);
    if (literal) {
      try {
        const regex = new RegExp(literal[1] ?? '', (literal[2] ?? '').replace(/[gy]/g, ''));
        tests.push((value) => regex.test(value));
      } catch (error) {
        errors.push(`bad regular expression ${pattern}: ${errorMessage(error)}`);
      }
    } else if (/[*?]/.test(pattern)) {
      const regex = globToRegex(pattern);
      tests.push((value) => regex.test(value));
    } else {
      tests.push((value) => value === pattern);
    }
  }
  if (errors.length > 0) return errors;
  return (value) => value !== undefined && tests.some((test) => test(value));
}

/** `*` = any run of characters, `?` = one character; everything else is literal. */
export function globToRegex(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}
