// Roll-up section of the pipeline configuration file: its TypeScript shape and its JSON Schema.
// shared/config/ $refs rollups.schema.json and hands the validated section to compileRollups().
import type { ConditionRule, StalenessRule } from './conditions';
import rollupsSchemaJson from './rollups.schema.json';

export const rollupsSchema: Readonly<Record<string, unknown>> = rollupsSchemaJson;
export const ROLLUPS_SCHEMA_ID = 'https://adt-twin-pipeline.local/schemas/rollups.schema.json';

export const AGGREGATES = [
  'copy',
  'avg',
  'min',
  'max',
  'sum',
  'count',
  'countDistinct',
  'median',
  'stddev',
  'any',
  'all',
  'latest',
] as const;
export type AggregateName = (typeof AGGREGATES)[number];

/** What a derived property becomes when no child contributes a value. */
export type EmptyValue = 'remove' | { value: unknown };

export interface AggregateSpec {
  aggregate: AggregateName;
  /** Child property, or `component/property` for a property inside a component; absent only for
   * `count` (counts the matching children). */
  of?: string;
  /** `avg` only: child property weighing each value (e.g. a room's area). */
  weight?: string;
}

export interface AggregateTarget extends AggregateSpec {
  empty?: EmptyValue;
}

export interface ExpressionTarget {
  /** JSONata over the named inputs ($name). Never arbitrary code. */
  expression: string;
  inputs: Record<string, AggregateSpec>;
  empty?: EmptyValue;
}

export type TargetSpec = AggregateTarget | ExpressionTarget;

/** Which way a rule's relationships point: parent → child (outgoing, default) or child → parent
 * (incoming, as RealEstateCore's isPartOf / locatedIn). */
export type RelationshipDirection = 'outgoing' | 'incoming';

/** How a recompute finds the children's values: see ROLLUPS.md "Cost". */
export type ReadMode = 'view' | 'api' | 'query';

export interface RollupRule {
  name: string;
  description?: string;
  parentModel: string;
  /** Relationship names linking parent and children (direction says which way they point). */
  relationships: string[];
  direction?: RelationshipDirection;
  childModel?: string;
  /** JSONata boolean over the child twin. */
  where?: string;
  read?: ReadMode;
  properties: Record<string, TargetSpec>;
}

export interface RollupSettings {
  floatTolerance: number;
  maxHops: number;
  maxPreconditionRetries: number;
  maxChildren: number;
  modelCacheSeconds: number;
  /** How long ADT's query index may trail a write; a view loaded by query is re-read after it. */
  queryLagSeconds: number;
  /** A parent's recompute starts this long after the change that asked for it; changes arriving
   * meanwhile share it, so a busy parent is written a few times a second, not at ADT's limit. */
  gatherMilliseconds: number;
  /** The conditions sweep's bound per run (ROLLUPS.md "Sweep cost"): twins it takes from its queries, */
  sweepMaxRows: number;
  /** the Query Units after which it asks for no further page, */
  sweepMaxQueryUnits: number;
  /** and max-items-per-page of its queries. What a run leaves is the next run's. */
  sweepPageSize: number;
}

/** The `rollups` section as written in the file (after schema validation). */
export interface RollupsSection {
  settings?: Partial<RollupSettings>;
  rules?: RollupRule[];
  /** States raised on a twin from its own properties (rules/conditions.ts). */
  conditions?: ConditionRule[];
  /** maxAge per model: twins not written for it are marked stale (conditions/staleness.ts). */
  staleness?: StalenessRule[];
}

export const defaultRollupSettings: Readonly<RollupSettings> = {
  floatTolerance: 1e-9,
  maxHops: 32,
  maxPreconditionRetries: 5,
  maxChildren: 50_000,
  modelCacheSeconds: 300,
  queryLagSeconds: 10,
  gatherMilliseconds: 200,
  sweepMaxRows: 10_000,
  sweepMaxQueryUnits: 10_000,
  sweepPageSize: 1000,
};

export function isExpressionTarget(target: TargetSpec): target is ExpressionTarget {
  return 'expression' in target;
}

export function resolveRollupSettings(partial: Partial<RollupSettings> | undefined): RollupSettings {
  return { ...defaultRollupSettings, ...(partial ?? {}) };
}
