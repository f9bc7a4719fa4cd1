// Turns raw DTDL schema JSON (a term, a DTMI reference or an inline complex schema) into a resolved Schema.

import { isRecord, type JsonRecord, listOf, stringOf, typesOf } from './json';
import type { EnumValue, GeospatialName, ObjectField, PrimitiveName, Schema } from './types';

const primitives: ReadonlySet<string> = new Set<PrimitiveName>([
  'boolean',
  'date',
  'dateTime',
  'double',
  'duration',
  'float',
  'integer',
  'long',
  'string',
  'time',
  'byte',
  'bytes',
  'decimal',
  'short',
  'unsignedByte',
  'unsignedInteger',
  'unsignedLong',
  'unsignedShort',
  'uuid',
]);

const geospatial: ReadonlySet<string> = new Set<GeospatialName>([
  'point',
  'multiPoint',
  'lineString',
  'multiLineString',
  'polygon',
  'multiPolygon',
]);

export const complexSchemaTypes: ReadonlySet<string> = new Set(['Enum', 'Object', 'Map', 'Array']);

export function isPrimitiveName(term: string): term is PrimitiveName {
  return primitives.has(term);
}

/** Complex schemas that carry an `@id` and can therefore be reused by reference. */
export interface SchemaDefinition {
  raw: JsonRecord;
  /** Top-level interface whose document holds the definition. */
  owner: string;
}

export class SchemaResolver {
  private readonly resolved = new Map<string, Schema>();

  constructor(private readonly definitions: ReadonlyMap<string, SchemaDefinition>) {}

  resolve(raw: unknown): Schema {
    return this.resolveWith(raw, new Set());
  }

  private resolveWith(raw: unknown, resolving: Set<string>): Schema {
    const term = stringOf(raw);
    if (term !== undefined) return this.resolveTerm(term, resolving);
    if (!isRecord(raw)) return { kind: 'unresolved', ref: JSON.stringify(raw) ?? 'undefined' };
    const types = typesOf(raw);
    if (types.includes('Enum')) return enumSchema(raw);
    if (types.includes('Object')) {
      const fields: ObjectField[] = [];
      for (const field of listOf(raw['fields'])) {
        if (!isRecord(field)) continue;
        const name = stringOf(field['name']);
        if (name !== undefined) fields.push({ name, schema: this.resolveWith(field['schema'], resolving) });
      }
      return { kind: 'object', fields };
    }
    if (types.includes('Map')) {
      const key = isRecord(raw['mapKey']) ? raw['mapKey'] : {};
      const value = isRecord(raw['mapValue']) ? raw['mapValue'] : {};
      return {
        kind: 'map',
        keyName: stringOf(key['name']) ?? 'key',
        valueName: stringOf(value['name']) ?? 'value',
        value: this.resolveWith(value['schema'], resolving),
      };
    }
    if (types.includes('Array')) return { kind: 'array', element: this.resolveWith(raw['elementSchema'], resolving) };
    return { kind: 'unresolved', ref: `an element of @type ${types.join(', ') || '(none)'}` };
  }

  private resolveTerm(term: string, resolving: Set<string>): Schema {
    if (isPrimitiveName(term)) return { kind: 'primitive', name: term };
    if (geospatial.has(term)) return { kind: 'geospatial', name: term as GeospatialName };
    const cached = this.resolved.get(term);
    if (cached) return cached;
    const definition = this.definitions.get(term);
    // DTDL forbids recursive schemas; the guard keeps a malformed set from looping forever.
    if (!definition || resolving.has(term)) return { kind: 'unresolved', ref: term };
    resolving.add(term);
    const schema = this.resolveWith(definition.raw, resolving);
    resolving.delete(term);
    this.resolved.set(term, schema);
    return schema;
  }
}

function enumSchema(raw: JsonRecord): Schema {
  const valueSchema = raw['valueSchema'] === 'integer' ? 'integer' : 'string';
  const values: EnumValue[] = [];
  for (const entry of listOf(raw['enumValues'])) {
    if (!isRecord(entry)) continue;
    const value = entry['enumValue'];
    if (typeof value === 'string' || typeof value === 'number') {
      values.push({ name: stringOf(entry['name']) ?? String(value), value });
    }
  }
  return { kind: 'enum', valueSchema, values };
}

/** A schema's name as used in messages: `double`, `Enum`, `Map`, `dtmi:…` for an unresolved reference. */
export function describeSchema(schema: Schema): string {
  switch (schema.kind) {
    case 'primitive':
    case 'geospatial':
      return schema.name;
    case 'enum':
      return `Enum<${schema.valueSchema}>`;
    case 'object':
      return 'Object';
    case 'map':
      return 'Map';
    case 'array':
      return 'Array';
    case 'unresolved':
      return schema.ref;
  }
}
