// If-Match / If-None-Match exactly as ADT enforces them (malformed → 400, conflict → 412, never 409).
import { type AdtError, errors } from './errors';
import { sameEtag } from './etag';

const ETAG = /^(W\/)?"[^"]*"$/;

/** `If-Match` must be `*` or a quoted etag; a mismatch with the current etag is 412. */
export function checkIfMatch(ifMatch: string | undefined, currentEtag: string): void {
  if (ifMatch === undefined) return;
  const value = ifMatch.trim();
  if (value === '*') return;
  if (!ETAG.test(value)) throw errors.badIfMatch();
  if (!sameEtag(value, currentEtag)) throw errors.etagMismatch(value);
}

/** Validates the header shape alone (done before looking the resource up). */
export function validateIfMatch(ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  const value = ifMatch.trim();
  if (value !== '*' && !ETAG.test(value)) throw errors.badIfMatch();
}

/** `If-None-Match` allows only `*`; when present and the resource exists, `conflict` is thrown (412). */
export function checkIfNoneMatch(ifNoneMatch: string | undefined, exists: boolean, conflict: () => AdtError): void {
  if (ifNoneMatch === undefined) return;
  if (ifNoneMatch.trim() !== '*') throw errors.badIfNoneMatch();
  if (exists) throw conflict();
}
