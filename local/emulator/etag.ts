// ADT etags are weak and opaque: a fresh `W/"<uuid>"` on every change of a twin or relationship.
import { randomUUID } from 'node:crypto';

export function newEtag(): string {
  return `W/"${randomUUID()}"`;
}

/** Strips the weak marker so `W/"x"` and `"x"` compare equal, as HTTP weak comparison does. */
export function sameEtag(a: string, b: string): boolean {
  const strip = (e: string): string => (e.startsWith('W/') ? e.slice(2) : e);
  return strip(a.trim()) === strip(b.trim());
}
