// The patch a twin replacement amounts to, for the Twin.Update notification of a PUT over an existing
// twin (ADT does not document this case; a property-level diff is what a PATCH would have sent).
import { isDeepStrictEqual } from 'node:util';

import { isComponentValue, type JsonObject, propertyNames } from '../metadata';
import type { PatchOperation } from '../types';

const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

export function diffProperties(before: JsonObject, after: JsonObject, prefix = ''): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const beforeMeta = before['$metadata'] as JsonObject | undefined;
  const afterMeta = after['$metadata'] as JsonObject | undefined;
  if (prefix === '' && beforeMeta?.['$model'] !== afterMeta?.['$model']) {
    ops.push({ op: 'replace', path: '/$metadata/$model', value: afterMeta?.['$model'] });
  }
  for (const key of propertyNames(after)) {
    const path = `${prefix}/${escape(key)}`;
    const next = after[key];
    if (!Object.hasOwn(before, key)) ops.push({ op: 'add', path, value: structuredClone(next) });
    else if (isComponentValue(next) && isComponentValue(before[key])) ops.push(...diffProperties(before[key] as JsonObject, next, path));
    else if (!isDeepStrictEqual(before[key], next)) ops.push({ op: 'replace', path, value: structuredClone(next) });
  }
  for (const key of propertyNames(before)) {
    if (!Object.hasOwn(after, key)) ops.push({ op: 'remove', path: `${prefix}/${escape(key)}` });
  }
  return ops;
}
