// Staleness: a twin of a model with a `maxAge` that nothing has written for that long is marked
// stale (a boolean property), and unmarked by its next change. Found by ADT's query on the twin's
// `$metadata.$lastUpdateTime` — the time filter ADT confirms (per-property time filters are not
// confirmed, so none is used). Any write to the twin counts as a sign of life, our own included, so
// the twin found stale is marked once and the query does not find it again.
import type { JsonPatchOperation, Twin } from '../../adt';
import { parseIsoMillis } from '../../common';
import { quoteQueryString } from '../port';
import { type CompiledStaleness, ownValue } from '../rules';

/** UTC with 7 fractional digits, as ADT stamps: such strings compare in time order as text. */
export function adtTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}0000Z`;
}

/** Twins of the rule's model last written before `cutoffMs` and not yet marked stale (ids only). */
export function staleQuery(rule: CompiledStaleness, cutoffMs: number): string {
  return (
    `SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL(${quoteQueryString(rule.model)}) ` +
    `AND T.$metadata.$lastUpdateTime < ${quoteQueryString(adtTime(cutoffMs))} AND (NOT IS_DEFINED(T.${rule.property}) OR T.${rule.property} = false)`
  );
}

const pointer = (property: string): string => `/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** The patch marking a stored twin stale at `nowMs`, or undefined (written since, or already stale). */
export function stalePatch(rule: CompiledStaleness, twin: Twin, nowMs: number): JsonPatchOperation[] | undefined {
  const last = twin.$metadata?.$lastUpdateTime;
  // The query index may lag: a twin written since the query is fresh.
  if (typeof last === 'string' && nowMs - parseIsoMillis(last) < rule.maxAgeMs) return undefined;
  if (ownValue(twin as Record<string, unknown>, rule.property) === true) return undefined;
  return [{ op: 'add', path: pointer(rule.property), value: true }];
}

/** The patch unmarking a stale twin after a change, or undefined. */
export function freshPatch(rule: CompiledStaleness, twin: Twin): JsonPatchOperation[] | undefined {
  return ownValue(twin as Record<string, unknown>, rule.property) === true
    ? [{ op: 'add', path: pointer(rule.property), value: false }]
    : undefined;
}
