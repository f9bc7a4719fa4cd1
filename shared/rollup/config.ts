// Roll-up section of the pipeline configuration file: its TypeScript shape and its JSON Schema.
// shared/config/ $refs rollups.schema.json and hands the validated section to compileRollups().
import rollupsSchemaJson from './rollups.schema.json';

export const rollupsSchema: Readonly<Record<string, unknown>> = rollupsSchemaJson;
export const ROLLUPS_SCHEMA_ID = 'https://adt-twin-pipeline.local/schemas/rollups.schema.json';

export const AGGREGATES = ['copy', 'avg', 'min', 'max', 'sum', 'count', 'any', 'all', 'latest'] as const;
export type AggregateName = (typeof AGGREGATES)[number];

/** What a derived property becomes when no child contributes a value. */
export type EmptyValue = 'remove' | { value: unknown };

export interface AggregateSpec {
  aggregate: AggregateName;
  /** Child property; absent only for `count` (counts the matching children). */
  of?: string;
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

export interface RollupRule {
  name: string;
  description?: string;
  parentModel: string;
  /** Relationship names from the parent to its children. */
  relationships: string[];
  childModel?: string;
  /** JSONata boolean over the child twin. */
  where?: string;
  read?: 'api' | 'query';
  properties: Record<string, TargetSpec>;
}

export interface RollupSettings {
  floatTolerance: number;
  maxHops: number;
  maxPreconditionRetries: number;
  maxChildren: number;
  modelCacheSeconds: number;
}

/** The `rollups` section as written in the file (after schema validation). */
export interface RollupsSection {
  settings?: Partial<RollupSettings>;
  rules: RollupRule[];
}

export const defaultRollupSettings: Readonly<RollupSettings> = {
  floatTolerance: 1e-9,
  maxHops: 32,
  maxPreconditionRetries: 5,
  maxChildren: 1000,
  modelCacheSeconds: 300,
};

export function isExpressionTarget(target: TargetSpec): target is ExpressionTarget {
  return 'expression' in target;
}

export function resolveRollupSettings(partial: Partial<RollupSettings> | undefined): RollupSettings {
  return { ...defaultRollupSettings, ...(partial ?? {}) };
}
