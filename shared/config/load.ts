// Loads the pipeline configuration named by the PIPELINE_CONFIG_PATH app setting: YAML or JSON,
// schema-validated (Ajv, allErrors), then compiled. Any problem fails fast with every error listed.

import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

import { errorMessage } from '../common';
import { readSetting } from '../settings';
import { type CheckOptions, checkPipelineConfig } from './check';
import { compilePipelineConfig } from './compile';
import { ConfigError } from './errors';
import { parseJsonObject } from './jsonText';
import type { CompiledPipelineConfig } from './types';

export const DEFAULTS_ORIGIN = '(defaults)';

/** The zero-config pipeline: twin id = device id, model-driven mapping, dead-letter unknown twins. */
export function defaultPipelineConfig(): CompiledPipelineConfig {
  return compilePipelineConfig({}, DEFAULTS_ORIGIN);
}

/** The value of YAML text (or JSON the fast path left to it), or every parse error with its line. */
function parseYaml(text: string, origin: string): unknown {
  // Only a YAML file (or one with a problem to explain) needs the YAML parser; the zero-config
  // defaults and a JSON file start without it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseDocument } = require('yaml') as typeof import('yaml');
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      origin,
      document.errors.map((error) => {
        const position = error.linePos?.[0];
        return `${position ? `line ${position.line}, column ${position.col}` : '(parse)'}: ${error.message.split('\n')[0]}`;
      }),
    );
  }
  return document.toJS() ?? {};
}

/**
 * Parses config text (YAML; JSON is valid YAML), validates and compiles it, and checks it against
 * `options.models` when given. Every problem is reported at once, each with its line.
 */
export function parsePipelineConfig(text: string, origin: string, options: CheckOptions = {}): CompiledPipelineConfig {
  const value = parseJsonObject(text) ?? parseYaml(text, origin);
  return checkPipelineConfig(value, text, origin, options);
}

export interface LoadOptions extends CheckOptions {
  readFile?: (path: string) => string;
}

export function loadPipelineConfigFile(path: string, options: LoadOptions = {}): CompiledPipelineConfig {
  const read = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let text: string;
  try {
    text = read(path);
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file (${errorMessage(error)}); check the path in the PIPELINE_CONFIG_PATH app setting`]);
  }
  return parsePipelineConfig(text, path, options);
}

/**
 * Loads the file named by the PIPELINE_CONFIG_PATH setting (relative paths resolve against `appRoot`),
 * or the defaults when the setting is empty.
 */
export function loadPipelineConfig(
  env: NodeJS.ProcessEnv = process.env,
  appRoot: string = process.cwd(),
  options: LoadOptions = {},
): CompiledPipelineConfig {
  const configured = readSetting('pipelineConfigPath', env);
  if (configured === undefined) return defaultPipelineConfig();
  const path = isAbsolute(configured) ? configured : resolve(appRoot, configured);
  return loadPipelineConfigFile(path, options);
}
