// Keeps this instance's child views current from one notification, before the parents are
// recomputed: patches are applied to the child copies (no read), a new link reads the one new
// child, a removed link leaves the view. Returns the former parents a change reveals.
import type { ChangeNotification } from '../../notifications';
import type { CallOptions, RollupPort } from '../port';
import type { CompiledRollupRule, CompiledRollups } from '../rules';
import type { ChildViews } from './childView';
import { relationshipKey } from './links';

export interface ViewMaintenanceDeps {
  compiled: CompiledRollups;
  views: ChildViews;
  port: Pick<RollupPort, 'getTwin' | 'listOutgoing'>;
}

const viewRules = (compiled: CompiledRollups, name?: string): CompiledRollupRule[] =>
  compiled.rules.filter((r) => r.read === 'view' && (name === undefined || r.relationships.has(name)));

async function addIfViewed(
  deps: ViewMaintenanceDeps,
  rule: CompiledRollupRule,
  parentId: string,
  childId: string,
  relKey: string,
  call: CallOptions,
): Promise<void> {
  if (!deps.views.has(rule, parentId)) return;
  const child = await deps.port.getTwin(childId, call);
  if (child) deps.views.addChild(rule, parentId, { childId, relationshipKey: relKey }, child.twin);
}

/** A re-pointed relationship: find where it points now and add the child to that parent's view. */
async function repoint(deps: ViewMaintenanceDeps, sourceId: string, relationshipId: string, call: CallOptions): Promise<void> {
  const rules = viewRules(deps.compiled);
  const names = new Set(rules.flatMap((r) => [...r.relationships]));
  const relKey = relationshipKey(sourceId, relationshipId);
  for (const name of names) {
    const link = (await deps.port.listOutgoing(sourceId, name, call)).find((l) => l.relationshipId === relationshipId);
    if (!link) continue;
    for (const rule of rules.filter((r) => r.relationships.has(name))) {
      if (rule.direction === 'incoming') await addIfViewed(deps, rule, link.targetId, sourceId, relKey, call);
      else await addIfViewed(deps, rule, sourceId, link.targetId, relKey, call);
    }
  }
}

export async function maintainViews(
  change: ChangeNotification,
  deps: ViewMaintenanceDeps,
  receivedAt: string,
  call: CallOptions = {},
): Promise<{ formerParents: string[] }> {
  switch (change.kind) {
    case 'twinUpdate':
      deps.views.applyPatch(change.twinId, change.patch, receivedAt);
      return { formerParents: [] };
    case 'twinDelete':
      return { formerParents: deps.views.removeChild(change.twinId) };
    case 'relationshipCreate': {
      const rel = change.relationship;
      const relKey = relationshipKey(rel.sourceId, rel.relationshipId);
      for (const rule of viewRules(deps.compiled, rel.relationshipName)) {
        if (rule.direction === 'incoming') await addIfViewed(deps, rule, rel.targetId, rel.sourceId, relKey, call);
        else await addIfViewed(deps, rule, rel.sourceId, rel.targetId, relKey, call);
      }
      return { formerParents: [] };
    }
    case 'relationshipDelete':
      return {
        formerParents: deps.views.removeRelationship(relationshipKey(change.relationship.sourceId, change.relationship.relationshipId)),
      };
    case 'relationshipUpdate': {
      const formerParents = deps.views.removeRelationship(relationshipKey(change.sourceId, change.relationshipId));
      if (viewRules(deps.compiled).length > 0) await repoint(deps, change.sourceId, change.relationshipId, call);
      return { formerParents };
    }
    case 'twinCreate':
    case 'ignored':
      // A new twin has no relationships yet; its parents hear of it through Relationship.Create.
      return { formerParents: [] };
  }
}
