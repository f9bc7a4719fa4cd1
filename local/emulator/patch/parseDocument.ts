// Shape checks ADT runs on a JSON Patch body before applying anything.
import { errors } from '../errors';
import type { PatchOperation } from '../types';

const SUPPORTED = new Set(['add', 'replace', 'remove']);

export function parsePatchDocument(body: unknown): PatchOperation[] {
  if (!Array.isArray(body)) throw errors.patchInvalid('The patch document must be a JSON array of operations.');
  return body.map((element: unknown) => {
    if (element === null || typeof element !== 'object' || Array.isArray(element)) throw errors.patchMissingOp();
    const record = element as Record<string, unknown>;
    const rawOp = record['op'];
    if (typeof rawOp !== 'string' || rawOp.trim() === '') throw errors.patchMissingOp();
    const op = rawOp.trim().toLowerCase();
    if (!SUPPORTED.has(op)) throw errors.patchUnsupportedOp(rawOp);
    const path = record['path'];
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw errors.patchInvalid(`Parameter path must not be empty and must start with '/' (got ${JSON.stringify(path)}).`);
    }
    if (op !== 'remove' && !Object.hasOwn(record, 'value')) {
      throw errors.patchInvalid(`Parameter value must be provided for operation ${op} on path ${path}.`);
    }
    return op === 'remove' ? { op: 'remove', path } : { op: op as 'add' | 'replace', path, value: record['value'] };
  });
}
