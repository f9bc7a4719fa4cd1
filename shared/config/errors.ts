// One error type for every configuration problem, listing all of them with exact locations
// (e.g. `ingest.rules[2].properties[0].transform.scale: must be number`), so a user fixes the file in one go.

import { parsePointer } from '../common';

export class ConfigError extends Error {
  constructor(
    readonly origin: string,
    readonly issues: readonly string[],
  ) {
    super(
      `Pipeline configuration ${origin} is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue) => `  - ${issue}`).join('\n') +
        '\nFix the file (see shared/config/CONFIGURATION.md) and restart.',
    );
    this.name = 'ConfigError';
  }
}

/** `/ingest/rules/2/properties/0` → `ingest.rules[2].properties[0]`; the root is `(root)`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '(root)';
  let path = '';
  for (const segment of parsePointer(pointer)) {
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}
