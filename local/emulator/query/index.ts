// Entry point of the emulator's query engine: parse → plan → evaluate lazily → one page.
import { newMeter, queryCharge } from './charge';
import { evaluate, type EvaluationContext } from './evaluate';
import { checkTextLimit } from './limits';
import { decodeToken, encodeToken, resolvePageSize } from './paging';
import { parseQuery } from './parser';
import { planQuery } from './plan';
import { projectRow } from './project';
import { candidateRows } from './rows';
import type { QuerySource } from './source';

export { QUERY_LIMITS } from './limits';
export type { QuerySource } from './source';

export interface QueryPage {
  value: unknown[];
  continuationToken: string | null;
  queryCharge: number;
}

export interface PageRequest {
  /** From the `max-items-per-page` header. */
  maxItemsPerPage?: number;
  /** From the body; when present the body's query text is ignored, as in ADT. */
  continuationToken?: string;
}

/** Runs one page of a query. Throws AdtError (400 SqlQueryError / BadRequest / InvalidArgument). */
export function executeQuery(text: string, source: QuerySource, page: PageRequest): QueryPage {
  const resumed = page.continuationToken ? decodeToken(page.continuationToken) : undefined;
  const query = resumed?.query ?? text;
  const offset = resumed?.offset ?? 0;
  const pageSize = resolvePageSize(page.maxItemsPerPage, resumed?.pageSize);

  checkTextLimit(query);
  const plan = planQuery(parseQuery(query));
  const ctx: EvaluationContext = { plan, source };
  const meter = newMeter();
  const limit = plan.ast.top ?? Number.POSITIVE_INFINITY;

  const matches = (function* () {
    let produced = 0;
    if (produced >= limit) return;
    for (const row of candidateRows(plan, source, meter)) {
      if (plan.ast.where && evaluate(plan.ast.where, row, ctx) !== true) continue;
      yield row;
      produced += 1;
      if (produced >= limit) return;
    }
  })();

  if (plan.ast.select.kind === 'count') {
    let count = 0;
    for (const _row of matches) count += 1;
    return { value: [{ COUNT: count }], continuationToken: null, queryCharge: queryCharge(meter) };
  }

  const value: unknown[] = [];
  let index = 0;
  let hasMore = false;
  for (const row of matches) {
    if (index >= offset + pageSize) {
      // One match past the page is enough to know another page exists.
      hasMore = true;
      break;
    }
    if (index >= offset) value.push(projectRow(plan.ast.select, row, plan));
    index += 1;
  }
  const continuationToken = hasMore ? encodeToken({ query, offset: offset + pageSize, pageSize }) : null;
  return { value, continuationToken, queryCharge: queryCharge(meter) };
}
