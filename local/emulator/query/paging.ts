// Opaque continuation tokens. The query text travels inside the token because ADT ignores the body's
// query once a token is sent; the page is re-evaluated from the offset (the store is ordered).
import { errors } from '../errors';
import { QUERY_LIMITS } from './limits';

const TOKEN_VERSION = 1;

export interface PageCursor {
  query: string;
  offset: number;
  pageSize: number;
}

export function encodeToken(cursor: PageCursor): string {
  const payload = { v: TOKEN_VERSION, q: cursor.query, o: cursor.offset, n: cursor.pageSize };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodeToken(token: string): PageCursor {
  let payload: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new Error('not base64url');
    payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw errors.badContinuationToken();
  }
  if (typeof payload !== 'object' || payload === null) throw errors.badContinuationToken();
  const { v, q, o, n } = payload as Record<string, unknown>;
  const validNumber = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  if (v !== TOKEN_VERSION || typeof q !== 'string' || !validNumber(o) || !validNumber(n) || n < 1) {
    throw errors.badContinuationToken();
  }
  return { query: q, offset: o, pageSize: n };
}

/** `max-items-per-page`: default 100, capped at ADT's 1000; zero, negative or fractional is a 400. */
export function resolvePageSize(requested: number | undefined, fromToken: number | undefined): number {
  const size = requested ?? fromToken ?? QUERY_LIMITS.defaultPageSize;
  if (!Number.isInteger(size) || size < 1) {
    throw errors.invalidArgument(
      `max-items-per-page must be a positive whole number (got ${String(size)}). Omit it for pages of ${QUERY_LIMITS.defaultPageSize}.`,
    );
  }
  return Math.min(size, QUERY_LIMITS.maxPageSize);
}
