// The flattened, validation-ready view of DTDL v2/v3 interfaces. Pure data: no parser, no I/O, so the
// emulator and the production ingest gateway share one notion of "what a model allows".

export type PrimitiveName =
  | 'boolean'
  | 'date'
  | 'dateTime'
  | 'double'
  | 'duration'
  | 'float'
  | 'integer'
  | 'long'
  | 'string'
  | 'time'
  // DTDL v3 additions
  | 'byte'
  | 'bytes'
  | 'decimal'
  | 'short'
  | 'unsignedByte'
  | 'unsignedInteger'
  | 'unsignedLong'
  | 'unsignedShort'
  | 'uuid';

export type GeospatialName = 'point' | 'multiPoint' | 'lineString' | 'multiLineString' | 'polygon' | 'multiPolygon';

export interface EnumValue {
  name: string;
  value: string | number;
}

export interface ObjectField {
  name: string;
  schema: Schema;
}

/** A DTDL schema with every `@id` reference already resolved. */
export type Schema =
  | { kind: 'primitive'; name: PrimitiveName }
  | { kind: 'geospatial'; name: GeospatialName }
  | { kind: 'enum'; valueSchema: 'integer' | 'string'; values: EnumValue[] }
  | { kind: 'object'; fields: ObjectField[] }
  | { kind: 'map'; keyName: string; valueName: string; value: Schema }
  | { kind: 'array'; element: Schema }
  /** A schema DTMI that no supplied document defines; values against it are reported, never accepted silently. */
  | { kind: 'unresolved'; ref: string };

export interface PropertyDef {
  name: string;
  schema: Schema;
  writable: boolean;
  /** Co-types beyond "Property", e.g. ["Temperature"]. */
  semanticTypes: string[];
  unit?: string;
  /** The interface whose `contents` declare it (differs from the viewed one when inherited). */
  definedIn: string;
}

export interface TelemetryDef {
  name: string;
  schema: Schema;
  semanticTypes: string[];
  unit?: string;
  definedIn: string;
}

export interface ComponentDef {
  name: string;
  /** DTMI of the component's interface (inline interfaces get a synthetic id, see modelIndex.ts). */
  interfaceId: string;
  definedIn: string;
}

export interface RelationshipDef {
  name: string;
  /** Any target interface is allowed when absent. */
  target?: string;
  minMultiplicity?: number;
  maxMultiplicity?: number;
  writable: boolean;
  properties: ReadonlyMap<string, PropertyDef>;
  definedIn: string;
}

/** One interface with everything it inherits merged in. */
export interface InterfaceView {
  id: string;
  displayName: Record<string, string>;
  description: Record<string, string>;
  /** Every ancestor, nearest first, without duplicates; excludes the interface itself. */
  extendsChain: string[];
  properties: ReadonlyMap<string, PropertyDef>;
  telemetry: ReadonlyMap<string, TelemetryDef>;
  components: ReadonlyMap<string, ComponentDef>;
  relationships: ReadonlyMap<string, RelationshipDef>;
  commands: ReadonlySet<string>;
}

export interface ModelIndex {
  /** Ids of the top-level interfaces, in the order supplied. */
  ids(): string[];
  has(id: string): boolean;
  /** The flattened view, or undefined when `id` is not an interface in the index. */
  interface(id: string): InterfaceView | undefined;
  /** True when `actual` is `target` or (unless `exact`) extends it, directly or transitively. */
  isOfModel(actual: string, target: string, exact?: boolean): boolean;
  /**
   * Other top-level interfaces that `id` cannot be understood without: its `extends`, component
   * schemas and schema definitions it borrows by `@id`. Relationship targets are not included
   * (the DTDL parser does not require them to exist). Direct dependencies only.
   */
  dependenciesOf(id: string): string[];
  /** DTMIs referenced by `id` or its ancestors/components that no supplied document defines. */
  missingReferences(id: string): string[];
  /** Problems met while indexing (duplicate ids, malformed contents); empty for parser-valid input. */
  problems: string[];
}
