// The first touch by query. A process meeting twins it has no copy of — a cold start, a partition that
// moved to it, a portfolio whose sensors each report once a minute — needs each twin's model, ETag and
// stored values and sourceTimes before it can map and guard a write. One GET per twin spends ADT's read
// budget at one twin per request: 100,000 twins are 100 s of reads before anything is written. A query
// names up to 50 twins (ADT's limit on an IN list) and draws on the Query API's own budget, so the same
// copies cost one request per 50 twins and no read budget at all.
//
// Why a query's copy may be trusted by the write path: ADT's query index lags writes by seconds, so a
// copy may be older than the twin. Every write made from a copy is conditional on its ETag (If-Match),
// so an older copy costs a 412 and a fresh GET, never a lost update — the same as a copy cached before
// another writer wrote. The copies go to the guard tier only: readers that need whole, current
// documents (roll-up recomputes) never see them.

import { quoteQueryString } from '../common';
import type { Twin } from './types';

/** ADT's limit on the items of one IN list; the emulator enforces it as ADT does. */
export const preloadIdsPerQuery = 50;
/** ADT's limit on a query's length, with room to spare. */
const maxQueryCharacters = 7_500;

const prefix = 'SELECT * FROM DIGITALTWINS T WHERE T.$dtId IN [';

/** The queries that read these twins: at most 50 ids and 7,500 characters each. */
export function preloadQueries(twinIds: readonly string[]): string[] {
  const queries: string[] = [];
  let literals: string[] = [];
  let length = prefix.length + 1;
  for (const twinId of twinIds) {
    const literal = quoteQueryString(twinId);
    if (literals.length > 0 && (literals.length === preloadIdsPerQuery || length + literal.length + 2 > maxQueryCharacters)) {
      queries.push(`${prefix}${literals.join(', ')}]`);
      literals = [];
      length = prefix.length + 1;
    }
    literals.push(literal);
    length += literal.length + 2;
  }
  if (literals.length > 0) queries.push(`${prefix}${literals.join(', ')}]`);
  return queries;
}

/** A query row that is a twin document the cache can keep (id, model, ETag). */
export function isPreloadedTwin(row: unknown): row is Twin & { $etag: string } {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return false;
  const twin = row as Partial<Twin> & { $etag?: unknown };
  return (
    typeof twin.$dtId === 'string' &&
    typeof twin.$etag === 'string' &&
    typeof twin.$metadata === 'object' &&
    twin.$metadata !== null &&
    typeof twin.$metadata.$model === 'string'
  );
}
