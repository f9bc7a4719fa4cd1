// Which twin(s) a message addresses. Template and table strategies resolve on the spot; a query
// strategy yields a request the TwinIdResolver answers (cached), because it needs an ADT call.

import { escapeQueryString } from '../../common';
import type { QueryCacheOptions, TwinIdStrategy } from '../config';
import type { DeviceMessage } from '../message';

export interface ResolvedTwin {
  twinId: string;
  /** Model id when the resolution learned it (queries returning whole twins). */
  modelId?: string;
}

export type TwinIdRequest =
  | { kind: 'direct'; twins: ResolvedTwin[] }
  | { kind: 'query'; key: string; query: string; cache: QueryCacheOptions }
  | { kind: 'unresolved'; detail: string };

export type TwinResolution =
  { ok: true; twins: ResolvedTwin[] } | { ok: false; reason: 'twin-id-unresolved' | 'twin-not-found'; detail: string };

export function twinIdRequest(strategy: TwinIdStrategy, message: DeviceMessage): TwinIdRequest {
  switch (strategy.kind) {
    case 'template': {
      const twinId = strategy.template.render(message) ?? strategy.fallback?.render(message);
      return twinId === undefined
        ? {
            kind: 'unresolved',
            detail: `twin id template "${strategy.template.text}" has a variable without a value (${strategy.template.variables.join(', ')})${strategy.fallback ? `, and so has its fallback "${strategy.fallback.text}"` : ''}`,
          }
        : { kind: 'direct', twins: [{ twinId }] };
    }
    case 'table': {
      const key = strategy.key.render(message);
      const twinId = key === undefined ? undefined : strategy.table.get(key);
      if (twinId !== undefined) return { kind: 'direct', twins: [{ twinId }] };
      const fallback = strategy.fallback?.render(message);
      if (fallback !== undefined) return { kind: 'direct', twins: [{ twinId: fallback }] };
      return {
        kind: 'unresolved',
        detail:
          key === undefined
            ? `table key template "${strategy.key.text}" has a variable without a value`
            : `"${key}" is not in the twin id table and no fallback is configured`,
      };
    }
    case 'query': {
      const query = strategy.query.render(message, escapeQueryString);
      return query === undefined
        ? { kind: 'unresolved', detail: `twin id query "${strategy.query.text}" has a variable without a value` }
        : { kind: 'query', key: query, query, cache: strategy.cache };
    }
  }
}
