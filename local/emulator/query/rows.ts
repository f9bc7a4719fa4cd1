// Produces candidate rows lazily: the FROM collection (scanned, or fetched by pinned $dtId), then each JOIN;
// or, for MATCH, the paths from the pinned twin (matchRows.ts).
import type { RelationshipDoc, TwinDoc } from '../types';
import type { ChargeMeter } from './charge';
import type { Row } from './evaluate';
import { matchRows } from './matchRows';
import type { QueryPlan } from './plan';
import type { QuerySource } from './source';

export function* candidateRows(plan: QueryPlan, source: QuerySource, meter: ChargeMeter): Generator<Row> {
  if (plan.ast.match) {
    yield* matchRows(plan, source, meter);
    return;
  }
  for (const doc of rootDocuments(plan, source)) {
    meter.documentsRead += 1;
    yield* joinFrom(0, { [plan.rootAlias]: doc }, plan, source, meter);
  }
}

function* rootDocuments(plan: QueryPlan, source: QuerySource): Iterable<TwinDoc | RelationshipDoc> {
  if (plan.ast.from.collection === 'RELATIONSHIPS') {
    yield* source.relationships();
    return;
  }
  if (!plan.seedIds) {
    yield* source.twins();
    return;
  }
  // Pinned ids come back in the order the query lists them.
  for (const id of plan.seedIds) {
    const twin = source.twin(id);
    if (twin) yield twin;
  }
}

function* joinFrom(index: number, row: Row, plan: QueryPlan, source: QuerySource, meter: ChargeMeter): Generator<Row> {
  const join = plan.ast.joins[index];
  if (!join) {
    yield row;
    return;
  }
  const sourceTwinId = row[join.source]?.['$dtId'];
  if (typeof sourceTwinId !== 'string') return;
  for (const relationship of source.outgoing(sourceTwinId)) {
    if (relationship.$relationshipName !== join.relationshipName) continue;
    meter.joinHops += 1;
    const target = source.twin(relationship.$targetId);
    // Inner join: a dangling relationship produces no row.
    if (!target) continue;
    meter.documentsRead += 1;
    const next: Record<string, TwinDoc | RelationshipDoc> = { ...row, [join.target]: target };
    if (join.relationshipAlias !== undefined) next[join.relationshipAlias] = relationship;
    yield* joinFrom(index + 1, next, plan, source, meter);
  }
}
