// The sweep's cost, counted and bounded. Each of its queries is read page by page (ids only), and a
// run stops taking rows at `maxRows` and asks for no further page once its pages have cost
// `maxQueryUnits` (ADT's `query-charge` per page, summed). What a run leaves matches the same
// queries next run: a twin marked stale or whose duration was finished drops out of them, so the
// remainder comes first. The bound is checked before each page, so a run costs at most one page's
// charge more than `maxQueryUnits`, and never takes more than `maxRows` twins.
import type { CallOptions, RollupPort } from '../port';

export interface SweepBound {
  /** Twins one run takes from its queries (each then costs a GET, and a PATCH when something is due). */
  maxRows: number;
  /** Query Units after which no further page is requested. */
  maxQueryUnits: number;
  /** max-items-per-page (ADT: at most 1000). */
  pageSize: number;
}

/** What one run's queries cost. */
export interface SweepCost {
  /** Queries started (a query the bound stopped before its first page is not counted). */
  queries: number;
  pages: number;
  /** Rows taken (twin ids). */
  rows: number;
  /** `query-charge` summed over the pages (Query Units; 0 when the service sends none). */
  queryUnits: number;
  /** True when the bound stopped the run with rows or pages left: the next run takes them. */
  capped: boolean;
}

export const emptySweepCost = (): SweepCost => ({ queries: 0, pages: 0, rows: 0, queryUnits: 0, capped: false });

const idOf = (row: unknown): string | undefined => {
  const id = (row as { $dtId?: unknown } | null)?.$dtId;
  return typeof id === 'string' ? id : undefined;
};

/** The twin ids a query returns, page by page, as far as the run's bound allows; counts into `cost`. */
export async function boundedIds(
  port: RollupPort,
  text: string,
  bound: SweepBound,
  cost: SweepCost,
  options: CallOptions,
): Promise<string[]> {
  const ids: string[] = [];
  let continuationToken: string | undefined;
  let started = false;
  do {
    const rowsLeft = bound.maxRows - cost.rows;
    if (rowsLeft <= 0 || cost.queryUnits >= bound.maxQueryUnits) {
      cost.capped = true;
      break;
    }
    if (!started) cost.queries += 1;
    started = true;
    const page = port.queryPage
      ? await port.queryPage(
          text,
          { maxItemsPerPage: Math.min(bound.pageSize, rowsLeft), ...(continuationToken && { continuationToken }) },
          options,
        )
      : { rows: await (port.query as NonNullable<RollupPort['query']>)(text, options) };
    cost.pages += 1;
    cost.queryUnits = Math.round((cost.queryUnits + (page.queryCharge ?? 0)) * 100) / 100;
    // A service may answer more than asked: the rows past the bound are the next run's.
    const taken = page.rows.length > rowsLeft ? page.rows.slice(0, rowsLeft) : page.rows;
    if (taken.length < page.rows.length) cost.capped = true;
    cost.rows += taken.length;
    for (const row of taken) {
      const id = idOf(row);
      if (id !== undefined) ids.push(id);
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return ids;
}
