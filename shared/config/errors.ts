// One error type for every configuration problem, listing all of them with exact locations
// (e.g. `pipeline.yaml:14:20: ingest.rules[2].properties[0].transform.scale: must be number`), so a
// user fixes the file in one go.

import { parsePointer } from '../common';
import { pathText, type SourcePosition } from './positions';

export class ConfigError extends Error {
  constructor(
    readonly origin: string,
    /** One line per problem: `path: problem`. */
    readonly issues: readonly string[],
    /** Where each problem is in the file (same order as `issues`), when known. */
    readonly positions: readonly (SourcePosition | undefined)[] = [],
  ) {
    super(
      `Pipeline configuration ${origin} is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((issue, i) => `  - ${located(origin, positions[i])}${issue}`).join('\n') +
        '\nFix the file (see shared/config/CONFIGURATION.md) and restart.',
    );
    this.name = 'ConfigError';
  }

  /** Each problem as the message lists it: `pipeline.yaml:14:20: path: problem` (the file alone when the line is unknown). */
  get locatedIssues(): string[] {
    return this.issues.map((issue, i) =>
      this.positions[i] ? `${located(this.origin, this.positions[i])}${issue}` : `${this.origin}: ${issue}`,
    );
  }
}

/** `pipeline.yaml:14:20: `, the form editors and terminals open at the place. */
function located(origin: string, position: SourcePosition | undefined): string {
  return position ? `${origin}:${position.line}:${position.column}: ` : '';
}

/** `/ingest/rules/2/properties/0` → `ingest.rules[2].properties[0]`; the root is `(root)`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '(root)';
  return pathText(parsePointer(pointer).map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment)));
}
