// The "Changes" list of the live page: twins that appeared or went away (device lifecycle events,
// or any other create/delete), and a twin's state that changed (connection, condition, staleness,
// decommission). Decided from two successive views of a twin, so the list follows the same poll
// that moves the graph; a value change is not listed (the node shows it).
import type { TwinView } from './graphView';
import type { TwinStatus } from './twinStatus';

export type GraphEventKind = 'appeared' | 'removed' | 'connection' | 'condition' | 'stale' | 'fresh' | 'decommissioned';

export interface GraphEvent {
  /** When the page's poll saw it (ISO). */
  at: string;
  twinId: string;
  kind: GraphEventKind;
  text: string;
}

/** How many lines the server keeps for a page that connects later. */
export const recentEventLimit = 100;

function connectionText(status: TwinStatus | undefined): string | undefined {
  return status?.connection?.text;
}

function conditionStates(status: TwinStatus | undefined): Map<string, { state: string; value: unknown }> {
  return new Map((status?.conditions ?? []).map((c) => [c.name, { state: c.state, value: c.value }]));
}

function conditionWords(name: string, state: string, value: unknown): string {
  const shown = typeof value === 'string' ? ` (${value})` : '';
  if (state === 'raised') return `condition ${name} raised${shown}`;
  if (state === 'cleared') return `condition ${name} cleared${shown}`;
  if (state === 'raising') return `condition ${name} pending (its duration is running)`;
  return `condition ${name} clearing (its duration is running)`;
}

/**
 * What changed for one twin between two polls: `before` undefined = it appeared, `after` undefined
 * = it went away (`relationshipsGone`: how many of its relationships went with it).
 */
export function twinEvents(before: TwinView | undefined, after: TwinView | undefined, at: string, relationshipsGone = 0): GraphEvent[] {
  if (!before && !after) return [];
  if (!before && after) {
    const state = after.status?.badges.length ? `, ${after.status.badges.join(', ')}` : '';
    return [{ at, twinId: after.id, kind: 'appeared', text: `${after.id} appeared (${after.modelName}${state})` }];
  }
  if (before && !after) {
    const with_ = relationshipsGone > 0 ? ` with ${relationshipsGone} relationship${relationshipsGone === 1 ? '' : 's'}` : '';
    return [{ at, twinId: before.id, kind: 'removed', text: `${before.id} removed${with_}` }];
  }
  const was = (before as TwinView).status;
  const now = (after as TwinView).status;
  const id = (after as TwinView).id;
  const events: GraphEvent[] = [];
  const connection = connectionText(now);
  if (connection !== undefined && connection !== connectionText(was))
    events.push({ at, twinId: id, kind: 'connection', text: `${id} ${connection}` });
  const previous = conditionStates(was);
  for (const [name, { state, value }] of conditionStates(now)) {
    const old = previous.get(name);
    if (old && old.state === state && old.value === value) continue;
    // A first evaluation that only initialises the cleared state is not news.
    if (!old && state === 'cleared') continue;
    events.push({ at, twinId: id, kind: 'condition', text: `${id} ${conditionWords(name, state, value)}` });
  }
  if (now?.stale && !was?.stale)
    events.push({ at, twinId: id, kind: 'stale', text: `${id} stale (nothing written for ${now.stale.maxAgeSeconds} s)` });
  if (!now?.stale && was?.stale) events.push({ at, twinId: id, kind: 'fresh', text: `${id} fresh again` });
  if (now?.decommissioned && !was?.decommissioned)
    events.push({ at, twinId: id, kind: 'decommissioned', text: `${id} decommissioned (device deleted, twin kept)` });
  return events;
}
