// The pipeline configuration file: loading (YAML/JSON), schema validation, one error listing every problem.
export { type CheckOptions } from './check';
export { compilePipelineConfig } from './compile';
export { ConfigError, pointerToPath } from './errors';
export {
  defaultPipelineConfig,
  DEFAULTS_ORIGIN,
  type LoadOptions,
  loadPipelineConfig,
  loadPipelineConfigFile,
  parsePipelineConfig,
} from './load';
export type { SourcePosition } from './positions';
export type { CompiledPipelineConfig, PipelineConfigFile } from './types';
export { validatePipelineConfig } from './validate';
