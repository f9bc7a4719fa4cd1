// Built-in scalar functions of the query subset. Wrong argument types yield false, never an error.
import { isPlainObject, sameValue, typeTag } from './values';

type BuiltIn = (args: unknown[]) => boolean;

const stringTest =
  (test: (s: string, part: string) => boolean): BuiltIn =>
  ([s, part]) =>
    typeof s === 'string' && typeof part === 'string' && test(s, part);

const startsWith = stringTest((s, part) => s.startsWith(part));
const endsWith = stringTest((s, part) => s.endsWith(part));

export const BUILT_INS: Readonly<Record<string, BuiltIn>> = {
  IS_DEFINED: ([v]) => v !== undefined,
  IS_NULL: ([v]) => v === null,
  IS_BOOL: ([v]) => typeof v === 'boolean',
  IS_NUMBER: ([v]) => typeof v === 'number',
  IS_STRING: ([v]) => typeof v === 'string',
  IS_OBJECT: ([v]) => isPlainObject(v),
  IS_PRIMITIVE: ([v]) => ['null', 'boolean', 'number', 'string'].includes(typeTag(v)),
  STARTSWITH: startsWith,
  STARTS_WITH: startsWith,
  ENDSWITH: endsWith,
  ENDS_WITH: endsWith,
  CONTAINS: stringTest((s, part) => s.includes(part)),
  ARRAY_CONTAINS: ([list, item]) => Array.isArray(list) && list.some((element) => sameValue(element, item)),
};
