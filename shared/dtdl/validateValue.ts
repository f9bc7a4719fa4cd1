// Checks a JSON value against a resolved DTDL schema. Issues name the JSON path and the expected type.

import { isRecord } from './json';
import { describeSchema } from './schema';
import type { GeospatialName, PrimitiveName, Schema } from './types';

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const timePattern = /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/i;
const durationPattern =
  /^-?P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const decimalPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Inclusive integer ranges; `long`/`unsignedLong` are bounded by what a JSON number can carry exactly. */
const integerRanges: Partial<Record<PrimitiveName, [number, number]>> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  unsignedByte: [0, 255],
  unsignedShort: [0, 65535],
  unsignedInteger: [0, 4294967295],
  unsignedLong: [0, Number.MAX_SAFE_INTEGER],
};

const geoJsonTypes: Record<GeospatialName, { type: string; depth: number }> = {
  point: { type: 'Point', depth: 1 },
  multiPoint: { type: 'MultiPoint', depth: 2 },
  lineString: { type: 'LineString', depth: 2 },
  multiLineString: { type: 'MultiLineString', depth: 3 },
  polygon: { type: 'Polygon', depth: 3 },
  multiPolygon: { type: 'MultiPolygon', depth: 4 },
};

const floatMax = 3.4028234663852886e38;

/** Returns one message per violation; an empty array means the value conforms. `path` is a JSON pointer. */
export function validateValue(schema: Schema, value: unknown, path = ''): string[] {
  switch (schema.kind) {
    case 'primitive':
      return primitiveMatches(schema.name, value) ? [] : mismatch(schema, value, path);
    case 'geospatial':
      return geoJsonMatches(schema.name, value) ? [] : mismatch(schema, value, path);
    case 'enum': {
      if (schema.values.some((v) => v.value === value)) return [];
      const allowed = schema.values.map((v) => JSON.stringify(v.value)).join(', ');
      return [`${path || '/'}: expected one of ${allowed} (${describeSchema(schema)}) but got ${describeValue(value)}`];
    }
    case 'object': {
      if (!isRecord(value)) return mismatch(schema, value, path);
      const issues: string[] = [];
      for (const [key, fieldValue] of Object.entries(value)) {
        const field = schema.fields.find((f) => f.name === key);
        if (!field) {
          const names = schema.fields.map((f) => f.name).join(', ');
          issues.push(`${path}/${key}: not a field of this Object schema (fields: ${names})`);
          continue;
        }
        issues.push(...validateValue(field.schema, fieldValue, `${path}/${key}`));
      }
      return issues;
    }
    case 'map': {
      if (!isRecord(value)) return mismatch(schema, value, path);
      return Object.entries(value).flatMap(([key, entry]) => validateValue(schema.value, entry, `${path}/${key}`));
    }
    case 'array': {
      if (!Array.isArray(value)) return mismatch(schema, value, path);
      return value.flatMap((element, i) => validateValue(schema.element, element, `${path}/${i}`));
    }
    case 'unresolved':
      return [`${path || '/'}: schema ${schema.ref} is not defined by any uploaded model, so no value can be checked against it`];
  }
}

/** The one problem of a value that does not match its schema at all (a function, not a closure: this runs per value). */
function mismatch(schema: Schema, value: unknown, path: string): string[] {
  return [`${path || '/'}: expected ${describeSchema(schema)} but got ${describeValue(value)}`];
}

/** `string "hot"`, `number 3.5`, `null`, `object`, `array` — short enough for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

function primitiveMatches(name: PrimitiveName, value: unknown): boolean {
  const range = integerRanges[name];
  if (range) return typeof value === 'number' && Number.isInteger(value) && value >= range[0] && value <= range[1];
  switch (name) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= floatMax;
    case 'decimal':
      // Decimals may exceed double precision, so a numeric string is accepted as well as a number.
      return (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && decimalPattern.test(value));
    case 'string':
      return typeof value === 'string';
    case 'date':
      return typeof value === 'string' && isCalendarDate(value);
    case 'dateTime':
      return typeof value === 'string' && isDateTime(value);
    case 'time':
      return typeof value === 'string' && timePattern.test(value);
    case 'duration':
      return typeof value === 'string' && durationPattern.test(value);
    case 'uuid':
      return typeof value === 'string' && uuidPattern.test(value);
    case 'bytes':
      return typeof value === 'string' && base64Pattern.test(value);
    default:
      return false;
  }
}

function isCalendarDate(text: string): boolean {
  const match = datePattern.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** RFC 3339 date-time: a calendar date, `T`, and a time with a mandatory offset. */
function isDateTime(text: string): boolean {
  const separator = text.search(/[Tt]/);
  if (separator !== 10) return false;
  const time = text.slice(11);
  return isCalendarDate(text.slice(0, 10)) && timePattern.test(time) && /(Z|[+-]\d{2}:\d{2})$/i.test(time);
}

function geoJsonMatches(name: GeospatialName, value: unknown): boolean {
  const expected = geoJsonTypes[name];
  return isRecord(value) && value['type'] === expected.type && isCoordinateNesting(value['coordinates'], expected.depth);
}

/** depth 1 = one position ([lon, lat(, alt)]); each extra level is an array of the level below. */
function isCoordinateNesting(value: unknown, depth: number): boolean {
  if (!Array.isArray(value)) return false;
  if (depth === 1) return value.length >= 2 && value.length <= 3 && value.every((n) => typeof n === 'number' && Number.isFinite(n));
  return value.every((item) => isCoordinateNesting(item, depth - 1));
}
