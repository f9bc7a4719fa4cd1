// The ingest section of the pipeline configuration: the file's shape (as pipeline.schema.json
// validates it) and the compiled form the ingest modules run on. Compiled = every template, pattern,
// unit and JSONata expression already checked and turned into functions, so bad config fails at
// load, never per message. Ingest owns this; shared/config only loads, validates and reports.

import type { MessageKind } from '../message';
import type { CompiledExpression } from './expression';
import type { Matcher } from './pattern';
import type { CompiledSource } from './source';
import type { CompiledTemplate } from './template';
import type { CompiledTransform, TransformConfig } from './transforms';

// ---- File shape --------------------------------------------------------------------------------

export type { TransformConfig } from './transforms';

export type Scalar = string | number | boolean;

export interface IngestConfig {
  options?: IngestOptionsConfig;
  twinId?: TwinIdConfig | string;
  unknownTwin?: UnknownTwinConfig;
  rules?: RuleConfig[];
  connectionState?: ConnectionStateConfig;
  reportedProperties?: ReportedPropertiesConfig;
  lifecycle?: LifecycleConfig;
}

/** ingest.lifecycle: whether device lifecycle events create and retire twins. */
export interface LifecycleConfig {
  action?: 'map' | 'ignore';
  /** What a deleteDeviceIdentity does: retire the twin (default), keep it, or write `decommission`. */
  onDelete?: 'delete' | 'keep' | 'decommission';
  /** Property → value written instead of deleting (onDelete: decommission), e.g. { status: retired }. */
  decommission?: Record<string, unknown>;
  /** The model of a created twin by device id pattern or device twin tag (first match), before the device twin's modelId. */
  models?: Array<{ deviceId?: string | string[]; tags?: Record<string, Scalar>; modelId: string }>;
  /** Created twin's initial values: property → source over the event (e.g. tags.label, properties.reported.fw). */
  initialProperties?: Record<string, string>;
  /** A relationship to the created twin from a parent named by a template over the event, e.g. {body.tags.roomId}. */
  parent?: { twinId: string; relationship: string };
}

/** ingest.reportedProperties: whether twin change and digital twin change events patch reported values. */
export interface ReportedPropertiesConfig {
  twinChangeEvents?: 'map' | 'ignore';
  digitalTwinChangeEvents?: 'map' | 'ignore';
}

/** ingest.connectionState: what a deviceConnected / deviceDisconnected event writes. */
export interface ConnectionStateConfig {
  action?: 'map' | 'ignore';
  property?: string;
  connectedProperty?: string;
  lastChangeProperty?: string;
  sequenceProperty?: string;
}

export type OutOfRangeAction = 'drop' | 'dead-letter';

export interface IngestOptionsConfig {
  deviceIdProperties?: string[];
  moduleIdProperties?: string[];
  sourceTime?: string;
  emitSourceTime?: boolean;
  maxTwinsPerMessage?: number;
  maxParallelTwins?: number;
  outOfRange?: OutOfRangeAction;
  unmatched?: 'model' | 'ignore';
  maxDecodedBytes?: number;
  maxBodyDepth?: number;
  maxPropertiesPerMessage?: number;
  maxClockSkewSeconds?: number;
  futureSourceTime?: FutureSourceTimeAction;
  /** Default deadband of numeric properties (issue 25): a smaller change is not written. */
  deadband?: Deadband;
  /** Default heartbeat: an unchanged value is written when the stored sourceTime is this much older than the reading. */
  maxAgeSeconds?: number;
}

/** A numeric change is written only when it exceeds `absolute` and `relative` × |stored value| (the larger band). */
export interface Deadband {
  absolute?: number;
  relative?: number;
}

/** A source time too far ahead of the enqueued time: use the enqueued time (counted), or dead-letter. */
export type FutureSourceTimeAction = 'clamp' | 'dead-letter';

export interface TwinIdConfig {
  template?: string;
  table?: Record<string, string>;
  key?: string;
  fallback?: string;
  query?: string;
  cache?: { ttlSeconds?: number; negativeTtlSeconds?: number; maxEntries?: number };
}

export interface UnknownTwinConfig {
  /** model (default): create the twin when the message names a model ADT has (dt-dataschema, a device twin's modelId), else dead-letter. */
  action: 'dead-letter' | 'create' | 'model';
  modelId?: string;
  properties?: Record<string, unknown>;
}

export interface MatchConfig {
  modelId?: string | string[];
  deviceId?: string | string[];
  moduleId?: string | string[];
  component?: string | string[];
  /** Message kinds (iothub-message-source) the rule applies to; default telemetry only. */
  source?: MessageKind | MessageKind[];
  properties?: Record<string, Scalar | Scalar[]>;
  when?: string;
}

export interface RangeConfig {
  min?: number;
  max?: number;
  action?: OutOfRangeAction;
}

export interface PropertyMappingConfig {
  target: string;
  source?: string;
  component?: string;
  transform?: TransformConfig;
  range?: RangeConfig;
  onMissing?: 'skip' | 'dead-letter';
  deadband?: Deadband;
  maxAgeSeconds?: number;
}

export interface TelemetryMappingConfig {
  fields?: string[];
  all?: boolean;
  expression?: string;
  component?: string;
}

export interface RuleConfig {
  name: string;
  description?: string;
  match?: MatchConfig;
  twinId?: TwinIdConfig | string;
  component?: string;
  sourceTime?: string;
  properties?: PropertyMappingConfig[];
  telemetry?: TelemetryMappingConfig[];
  final?: boolean;
}

// ---- Compiled form -----------------------------------------------------------------------------

export interface IngestOptions {
  deviceIdProperties: string[];
  moduleIdProperties: string[];
  /** Where a value's sourceTime comes from; undefined = the enqueued time. */
  sourceTime?: CompiledSource;
  /** Write `$metadata/<prop>/sourceTime` next to every value. */
  emitSourceTime: boolean;
  /** A message addressing more twins than this is dead-lettered (guards a runaway query or rule set). */
  maxTwinsPerMessage: number;
  /** How many twins the orchestrator patches at once. */
  maxParallelTwins: number;
  outOfRange: OutOfRangeAction;
  /** No rule matched: `model` = model-driven default mapping, `ignore` = filtered (no-matching-rule). */
  unmatched: 'model' | 'ignore';
  /** A body that decodes or decompresses to more bytes is refused (too-large) without inflating further. */
  maxDecodedBytes: number;
  /** A JSON body nesting deeper is refused (too-deep) before anything serialises it again. */
  maxBodyDepth: number;
  /** A message mapping to more property values is refused (too-many-properties). */
  maxPropertiesPerMessage: number;
  /** How far a source time may be ahead of the enqueued time before futureSourceTime applies. */
  maxClockSkewSeconds: number;
  futureSourceTime: FutureSourceTimeAction;
  /** Default deadband (none: only equal values are suppressed). */
  deadband?: Deadband;
  /** Default heartbeat in seconds (none: an unchanged value is never rewritten). */
  maxAgeSeconds?: number;
}

export interface QueryCacheOptions {
  ttlMs: number;
  negativeTtlMs: number;
  maxEntries: number;
}

export type TwinIdStrategy =
  | { kind: 'template'; template: CompiledTemplate; fallback?: CompiledTemplate }
  | { kind: 'table'; key: CompiledTemplate; table: ReadonlyMap<string, string>; fallback?: CompiledTemplate }
  | { kind: 'query'; query: CompiledTemplate; cache: QueryCacheOptions };

export interface UnknownTwinPolicy {
  action: 'dead-letter' | 'create' | 'model';
  modelId?: string;
  properties: Record<string, unknown>;
}

export interface CompiledMatch {
  modelId?: Matcher;
  deviceId?: Matcher;
  moduleId?: Matcher;
  component?: Matcher;
  /** The message kinds the rule applies to; absent = telemetry only. */
  source?: ReadonlySet<string>;
  properties: Array<{ name: string; accepts: (value: unknown) => boolean }>;
  when?: CompiledExpression;
}

export interface CompiledPropertyMapping {
  /** Config location for messages, e.g. ingest.rules[0].properties[1]. */
  where: string;
  target: { component?: string; property: string };
  source?: CompiledSource;
  transform: CompiledTransform;
  /** Without an action the ingest.options.outOfRange default applies. */
  range?: { min?: number; max?: number; action?: OutOfRangeAction };
  onMissing: 'skip' | 'dead-letter';
  /** This property's deadband and heartbeat, over ingest.options' defaults. */
  deadband?: Deadband;
  maxAgeSeconds?: number;
}

export type TelemetrySelection =
  | { kind: 'fields'; fields: Array<{ name: string; source: CompiledSource }> }
  | { kind: 'all' }
  | { kind: 'expression'; expression: CompiledExpression };

export interface CompiledTelemetryMapping {
  where: string;
  component?: string;
  selection: TelemetrySelection;
}

export interface CompiledRule {
  name: string;
  where: string;
  match: CompiledMatch;
  twinId?: TwinIdStrategy;
  sourceTime?: CompiledSource;
  properties: CompiledPropertyMapping[];
  telemetry: CompiledTelemetryMapping[];
  final: boolean;
}

export interface CompiledIngest {
  options: IngestOptions;
  twinId: TwinIdStrategy;
  unknownTwin: UnknownTwinPolicy;
  rules: CompiledRule[];
  connectionState: ConnectionStatePolicy;
  reportedProperties: Required<ReportedPropertiesConfig>;
  lifecycle: CompiledLifecycle;
}

export interface CompiledLifecycle {
  action: 'map' | 'ignore';
  onDelete: 'delete' | 'keep' | 'decommission';
  decommission: Record<string, unknown>;
  models: Array<{ deviceId?: Matcher; tags: Array<{ name: string; value: string }>; modelId: string }>;
  initialProperties: Array<{ property: string; source: CompiledSource }>;
  parent?: { twinId: CompiledTemplate; relationship: string };
}

/** A name the user set must be in the model (refused otherwise); a default is written only when it is. */
export interface NamedProperty {
  name: string;
  configured: boolean;
}

export interface ConnectionStatePolicy {
  action: 'map' | 'ignore';
  property: NamedProperty;
  connectedProperty?: string;
  lastChangeProperty?: string;
  sequenceProperty: NamedProperty;
}
