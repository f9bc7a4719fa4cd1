// Route table. Paths are split on `/` BEFORE each segment is percent-decoded, because ids may contain %2F.
import type { PayloadKind } from '../limits';
import type { OperationKind } from '../types';
import type { RequestContext } from './context';
import type { Reply } from './respond';

export type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

export interface RouteDefinition {
  method: string;
  /** e.g. `/digitaltwins/:id/relationships/:relId` */
  pattern: string;
  /** Operation class for counters, limits and faults; a function when it depends on state (PUT create vs replace). */
  op: OperationKind | ((ctx: RequestContext) => OperationKind);
  /** Twins this request touches, for per-twin limits (default: the `id` path parameter). */
  twinIds?: (ctx: RequestContext) => string[];
  /** Body limits this route follows (default 'request': 32 KB, 4 KB strings; 'models': 250 models, 1 MB each). */
  payload?: PayloadKind;
  handler: Handler;
}

export interface RouteMatch {
  route: RouteDefinition;
  params: Record<string, string>;
}

interface CompiledRoute {
  route: RouteDefinition;
  segments: string[];
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(route: RouteDefinition): this {
    this.routes.push({ route, segments: route.pattern.split('/').filter((s) => s !== '') });
    return this;
  }

  /** Replaces every route with the same method and pattern (lets a sub-system take over an endpoint). */
  replace(route: RouteDefinition): this {
    const index = this.routes.findIndex((r) => r.route.method === route.method && r.route.pattern === route.pattern);
    if (index >= 0) this.routes.splice(index, 1);
    return this.add(route);
  }

  /** Returns the matching route, 'method' when only the method is wrong, or undefined. */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const segments = splitPath(rawPath);
    if (segments === undefined) return undefined;
    for (const { route, segments: pattern } of this.routes) {
      if (route.method !== method || pattern.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < pattern.length && ok; i++) {
        const expected = pattern[i] ?? '';
        const actual = segments[i] ?? '';
        if (expected.startsWith(':')) params[expected.slice(1)] = actual;
        else ok = expected.toLowerCase() === actual.toLowerCase();
      }
      if (ok) return { route, params };
    }
    return undefined;
  }
}

/** Splits then decodes; undefined when a segment is not valid percent-encoding. */
export function splitPath(rawPath: string): string[] | undefined {
  const parts = rawPath.split('/').filter((s) => s !== '');
  try {
    return parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}
