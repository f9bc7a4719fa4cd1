export { checkIngestAgainstModels } from './checkAgainstModels';
export { compileIngest, defaultIngestOptions, defaultQueryCache } from './compileIngest';
export type { CompiledExpression } from './expression';
export type { ConnectionStateConfig, ConnectionStatePolicy, NamedProperty } from './ingestConfig';
export type {
  CompiledIngest,
  CompiledMatch,
  CompiledPropertyMapping,
  CompiledRule,
  CompiledTelemetryMapping,
  Deadband,
  FutureSourceTimeAction,
  IngestConfig,
  IngestOptions,
  IngestOptionsConfig,
  MatchConfig,
  OutOfRangeAction,
  PropertyMappingConfig,
  QueryCacheOptions,
  RangeConfig,
  RuleConfig,
  Scalar,
  TelemetryMappingConfig,
  TelemetrySelection,
  TwinIdConfig,
  TwinIdStrategy,
  UnknownTwinConfig,
  UnknownTwinPolicy,
} from './ingestConfig';
export type { CompiledSource } from './source';
export type { TransformConfig, TransformOutcome } from './transforms';
