// Produces the rows of a MATCH query: start at the pinned twin(s), walk the chain of relationship
// conditions to the right of it and then to the left, binding each named twin and relationship variable.
// As ADT documents, a relationship is traversed at most once per row (cycles end there), and paths of
// several hops bind only their end twins; rows with identical bindings reached by different paths are
// returned once.
import type { RelationshipDoc, TwinDoc } from '../types';
import type { ChargeMeter } from './charge';
import type { Row } from './evaluate';
import type { MatchEdge, MatchPattern } from './matchAst';
import type { QueryPlan } from './plan';
import type { QuerySource } from './source';

type Bindings = Record<string, TwinDoc | RelationshipDoc>;

interface Walk {
  pattern: MatchPattern;
  source: QuerySource;
  meter: ChargeMeter;
  /** Relationships already on this row's path (key: source id + relationship id). */
  used: Set<string>;
}

const relationshipKey = (r: RelationshipDoc): string => `${r.$sourceId}\u0000${r.$relationshipId}`;

export function* matchRows(plan: QueryPlan, source: QuerySource, meter: ChargeMeter): Generator<Row> {
  const pattern = plan.ast.match;
  const anchor = plan.matchAnchor;
  if (!pattern || !anchor) return;
  const startAlias = pattern.nodes[anchor.index]?.alias ?? '';
  const seen = new Set<string>();
  for (const id of anchor.ids) {
    const twin = source.twin(id);
    if (!twin) continue;
    meter.documentsRead += 1;
    const walk: Walk = { pattern, source, meter, used: new Set() };
    for (const row of extendRight(anchor.index, { [startAlias]: twin }, walk, anchor.index)) {
      const key = rowKey(row, plan);
      if (seen.has(key)) continue;
      seen.add(key);
      yield { ...row };
    }
  }
}

/** Binds nodes index+1… to the right; when the chain ends, continues left of the anchor. */
function* extendRight(index: number, row: Bindings, walk: Walk, anchorIndex: number): Generator<Bindings> {
  const edge = walk.pattern.edges[index];
  if (!edge) {
    yield* extendLeft(anchorIndex, row, walk);
    return;
  }
  const from = row[walk.pattern.nodes[index]?.alias ?? ''] as TwinDoc;
  const nextAlias = walk.pattern.nodes[index + 1]?.alias ?? '';
  for (const step of paths(from.$dtId, edge, true, walk)) {
    yield* extendRight(index + 1, bind(row, nextAlias, step, edge), walk, anchorIndex);
  }
}

/** Binds nodes index-1… down to 0, walking each condition against its written direction. */
function* extendLeft(index: number, row: Bindings, walk: Walk): Generator<Bindings> {
  if (index === 0) {
    yield row;
    return;
  }
  const edge = walk.pattern.edges[index - 1] as MatchEdge;
  const from = row[walk.pattern.nodes[index]?.alias ?? ''] as TwinDoc;
  const nextAlias = walk.pattern.nodes[index - 1]?.alias ?? '';
  for (const step of paths(from.$dtId, edge, false, walk)) {
    yield* extendLeft(index - 1, bind(row, nextAlias, step, edge), walk);
  }
}

function bind(row: Bindings, alias: string, step: PathEnd, edge: MatchEdge): Bindings {
  const next: Bindings = { ...row, [alias]: step.twin };
  if (edge.variable !== undefined && step.lastRelationship) next[edge.variable] = step.lastRelationship;
  return next;
}

interface PathEnd {
  twin: TwinDoc;
  /** The relationship of a single-hop path (what a relationship variable binds). */
  lastRelationship: RelationshipDoc | undefined;
}

/**
 * Every path of minHops..maxHops relationships from `startId` that satisfies the condition. `forward`:
 * walking the pattern left to right (so `->` means outgoing); false walks it right to left.
 */
function* paths(startId: string, edge: MatchEdge, forward: boolean, walk: Walk): Generator<PathEnd> {
  const outgoing = edge.direction === 'any' || (edge.direction === 'right') === forward;
  const incoming = edge.direction === 'any' || (edge.direction === 'left') === forward;
  function* step(twinId: string, depth: number): Generator<PathEnd> {
    for (const { relationship, otherId } of neighbours(twinId, outgoing, incoming, walk.source)) {
      if (edge.names.length > 0 && !edge.names.includes(relationship.$relationshipName)) continue;
      const key = relationshipKey(relationship);
      if (walk.used.has(key)) continue;
      walk.meter.joinHops += 1;
      const twin = walk.source.twin(otherId);
      // A relationship whose target is gone leads nowhere (as in JOIN).
      if (!twin) continue;
      walk.meter.documentsRead += 1;
      walk.used.add(key);
      try {
        if (depth >= edge.minHops) yield { twin, lastRelationship: depth === 1 ? relationship : undefined };
        if (depth < edge.maxHops) yield* step(twin.$dtId, depth + 1);
      } finally {
        walk.used.delete(key);
      }
    }
  }
  yield* step(startId, 1);
}

function* neighbours(
  twinId: string,
  outgoing: boolean,
  incoming: boolean,
  source: QuerySource,
): Generator<{ relationship: RelationshipDoc; otherId: string }> {
  if (outgoing) for (const relationship of source.outgoing(twinId)) yield { relationship, otherId: relationship.$targetId };
  if (incoming) for (const relationship of source.incoming(twinId)) yield { relationship, otherId: relationship.$sourceId };
}

/** Identity of a row: the twin id or relationship key bound to every name. */
function rowKey(row: Bindings, plan: QueryPlan): string {
  return [...plan.bindings.keys()]
    .map((alias) => {
      const doc = row[alias];
      if (!doc) return '';
      return '$relationshipId' in doc && typeof doc.$relationshipId === 'string'
        ? relationshipKey(doc as RelationshipDoc)
        : String(doc.$dtId);
    })
    .join('\u0001');
}
