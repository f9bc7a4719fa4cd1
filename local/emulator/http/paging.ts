// Offset paging for list endpoints: `{value, nextLink}` with an explicit null on the last page and an
// absolute nextLink on this emulator's host (the SDK follows it verbatim).
import { errors } from '../errors';
import type { RequestContext } from './context';
import { header } from './context';

export interface Page<T> {
  value: T[];
  nextLink: string | null;
}

function decodeToken(token: string | null): number {
  if (token === null) return 0;
  const offset = Number(Buffer.from(token, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) throw errors.badContinuationToken();
  return offset;
}

/** `path` is the raw (encoded) list path; extra query parameters are carried into the nextLink. */
export function pageOf<T>(items: T[], ctx: RequestContext, defaultPageSize: number, extraQuery: Record<string, string> = {}): Page<T> {
  const requested = Number(header(ctx, 'max-items-per-page'));
  const size = Number.isInteger(requested) && requested > 0 ? Math.min(requested, defaultPageSize) : defaultPageSize;
  const offset = decodeToken(ctx.query.get('continuationToken'));
  const value = items.slice(offset, offset + size);
  if (offset + size >= items.length) return { value, nextLink: null };
  const query = new URLSearchParams({
    ...extraQuery,
    continuationToken: Buffer.from(String(offset + size)).toString('base64url'),
    'api-version': ctx.query.get('api-version') ?? '2022-05-31',
  });
  return { value, nextLink: `${ctx.baseUrl}${ctx.rawPath}?${query.toString()}` };
}
