// Structural validation against pipeline.schema.json, which references the roll-up module's
// rollups.schema.json. Errors are rewritten into `path: problem` lines; a `oneOf` that no form
// matches is reported against the form the value was meant to be (see oneOf.ts), so one typo gives
// one line, not every form's complaints.
//
// The validator is Ajv's code for the two schemas generated ahead of time (pipelineSchemaValidator.js,
// by scripts/generate-config-validator.cjs, with the options the error texts need: allErrors,
// verbose…), not compiled here: compiling cost a cold worker ~120 ms on its first configuration file.
// test/unit/config/schemaValidator.test.ts fails when the generated module is older than a schema.

import type { ValidateFunction } from 'ajv';

import { didYouMean } from '../common';
import { enumProblem, suggestAllowed } from './enumProblem';
import { pointerToPath } from './errors';
import { collapseOneOf, type SchemaProblem } from './oneOf';

let validator: ValidateFunction | undefined;

function getValidator(): ValidateFunction {
  // Loaded on the first file validated (never for the defaults).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  validator ??= (require('./pipelineSchemaValidator') as typeof import('./pipelineSchemaValidator')).default;
  return validator;
}

// Friendlier wording for patterns whose regex means nothing to a reader.
const patternHints: ReadonlyArray<[string, string]> = [
  ['/definitions/target/pattern', 'must be a property name or component/property (letters, digits, _; e.g. thermostat1/targetTemperature)'],
  ['/definitions/name/pattern', 'must be a DTDL name (letters, digits, _; starting with a letter)'],
  ['/definitions/dtmi/pattern', 'must be a DTMI such as dtmi:example:building:Thermostat;1'],
];

function describeError(error: SchemaProblem): string {
  const path = pointerToPath(error.instancePath);
  switch (error.keyword) {
    case 'oneOfForms':
      return `${path}: ${error.message}`;
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      return `${path}: unknown property "${extra}"${didYouMean(extra, known)}`;
    }
    case 'required': {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      return `${path === '(root)' ? missing : `${path}.${missing}`}: is required`;
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      if (error.schemaPath.endsWith('/definitions/aggregateName/enum') && typeof error.data === 'string')
        return `${path}: ${aggregateProblem(error.data, allowed)}`;
      return `${path}: ${enumProblem(error.data, allowed)}`;
    }
    case 'pattern': {
      const hint = patternHints.find(([suffix]) => error.schemaPath.endsWith(suffix));
      return `${path}: ${hint ? hint[1] : (error.message ?? 'has an invalid format')}`;
    }
    case 'type': {
      const type = (error.params as { type: string | string[] }).type;
      return `${path}: must be ${(Array.isArray(type) ? type : type.split(',')).join(' or ')}`;
    }
    default:
      return `${path}: ${error.message ?? 'is invalid'}`;
  }
}

/** `unknown aggregate 'avarage' — did you mean 'avg'? (one of copy, avg, …)` */
function aggregateProblem(written: string, allowed: readonly unknown[]): string {
  const names = allowed.filter((a): a is string => typeof a === 'string');
  const close = suggestAllowed(written, names);
  const hint = close.length > 0 ? ` — did you mean ${close.map((c) => `'${c}'`).join(' or ')}?` : '';
  return `unknown aggregate '${written}'${hint} (one of ${names.join(', ')})`;
}

const isUnder = (path: string, base: string): boolean => path.startsWith(`${base}/`);

/**
 * Drops what an `if`/`then` demands of a value whose own fields are already wrong: with
 * `aggregate: avarage` the "needs `of` unless it is count" rule fires too and said `of: is required`,
 * which sends the reader after the wrong key.
 */
function withoutConsequences(problems: readonly SchemaProblem[]): SchemaProblem[] {
  const fromThen = (p: SchemaProblem): boolean => p.schemaPath.includes('/then/');
  return problems.filter((p) => !fromThen(p) || !problems.some((other) => !fromThen(other) && isUnder(other.instancePath, p.instancePath)));
}

/** Ajv's errors for a parsed config file, empty when it conforms to the schema. */
export function schemaErrors(value: unknown): SchemaProblem[] {
  const validate = getValidator();
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** Returns the structural problems of a parsed config file, empty when it conforms to the schema. */
export function validatePipelineConfig(value: unknown): string[] {
  const errors = schemaErrors(value);
  if (errors.length === 0) return [];
  const lines = withoutConsequences(collapseOneOf(errors)).map(describeError);
  return [...new Set(lines)];
}
